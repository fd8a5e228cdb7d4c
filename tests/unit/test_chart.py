"""bot/reports/chart.py: the chart is a real PNG (signature, IHDR with its size), with data and
without, and it is drawn off the event loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import struct
import zlib

from bot.reports import chart

DAYS = [
    chart.DayPoint(dt.date(2026, 11, 4) + dt.timedelta(days=i), i % 4, i % 3, i % 5 == 0, 50 + i) for i in range(30)
]
BROADCASTS = [chart.BroadcastPoint(10 + i, 200, 180 - 10 * i, None if i == 2 else 90 + i) for i in range(5)]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature and the chunk's CRC
    (https://www.w3.org/TR/png/#5PNG-file-signature, #11IHDR)."""
    assert data[:8] == chart.PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert crc == zlib.crc32(kind + body)
    width, height = struct.unpack(">II", body[:8])
    assert data.endswith(b"IEND\xaeB`\x82")
    return width, height


def test_the_chart_is_a_png_of_its_stated_size() -> None:
    width, height = png_size(chart.render_png(chart.ChartData(DAYS, BROADCASTS)))
    assert (width, height) == (chart.WIDTH_INCHES * chart.DPI, chart.HEIGHT_INCHES * chart.DPI)


def test_an_empty_chart_is_a_png_too() -> None:
    width, height = png_size(chart.render_png(chart.ChartData()))
    assert width > 0 and height > 0


async def test_render_draws_in_a_worker_process_and_survives_its_death() -> None:
    data = chart.ChartData(DAYS[:3], BROADCASTS[:1])
    try:
        png = await chart.render(data)
        assert png_size(png) == (chart.WIDTH_INCHES * chart.DPI, chart.HEIGHT_INCHES * chart.DPI)
        pool = chart._pool
        assert pool is not None
        worker = await asyncio.wrap_future(pool.submit(os.getpid))
        assert worker != os.getpid()
        os.kill(worker, signal.SIGKILL)  # killed (out of memory, by hand): the next chart gets a new one
        await asyncio.sleep(0.2)
        assert png_size(await chart.render(data))[0] > 0
        assert chart._pool is not pool
    finally:
        chart.shutdown()
    assert chart._pool is None
