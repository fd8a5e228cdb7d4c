"""The /stats chart: a PNG of two panels, subscribers by day (active at the end of each day as a line,
joins above and leaves and blocks below zero as bars) and the last broadcasts (the share of their
recipients who got every part, and who pressed "Đã nhận").

matplotlib is imported only inside ``render_png``, so the bot starts without it. It is used without
pyplot: a ``Figure`` on an explicit Agg canvas, matplotlib's recommended way outside a GUI
(https://matplotlib.org/stable/gallery/user_interfaces/web_application_server_sgskip.html). Labels
are Vietnamese with English beside them, in DejaVu Sans, which matplotlib ships and which has the
Vietnamese letters.

Rendering is CPU-bound, so it never runs on the event loop: ``render`` sends it to one worker
process, started (``spawn``) at the first chart and kept for the next ones. A worker thread
(``asyncio.to_thread``) was measured too (benchmarks/campaign_reports.py): as fast, but matplotlib's
C++ drawing holds the GIL for tens of milliseconds at a time, so the event loop stalled up to 55 ms
during each chart (every other user's reply waits that long), against 5 ms with the process. The
process costs about 0.6 s once (starting Python and importing matplotlib) and its memory while the
bot runs. ``render_png`` itself takes a lock all the same, since matplotlib is not thread-safe
(https://matplotlib.org/stable/users/faq.html#work-with-threads) and it may be called from threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only: matplotlib is imported when a chart is drawn
    from matplotlib.axes import Axes

FONT = "DejaVu Sans"
WIDTH_INCHES, HEIGHT_INCHES, DPI = 9.0, 7.0, 100  # 900 × 700 pixels: sharp on a phone, ~60 KB
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_LOCK = threading.Lock()  # matplotlib is not thread-safe: one chart at a time in this process


@dataclass(frozen=True, slots=True)
class DayPoint:
    day: dt.date
    joins: int
    leaves: int
    blocked: int
    active: int


@dataclass(frozen=True, slots=True)
class BroadcastPoint:
    broadcast_id: int
    recipients: int
    delivered: int
    acknowledged: int | None  # None: no "Đã nhận" button on it


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the chart shows: plain values (it crosses to a worker thread or process as it is)."""

    days: Sequence[DayPoint] = field(default_factory=tuple)
    broadcasts: Sequence[BroadcastPoint] = field(default_factory=tuple)  # oldest first


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def render_png(data: ChartData) -> bytes:
    """The chart as PNG bytes. Blocking and CPU-bound: call ``render`` from async code."""
    with _LOCK:
        return _draw(data)


def _draw(data: ChartData) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    style = {"font.family": FONT, "font.size": 10, "axes.titlesize": 12, "svg.fonttype": "none"}
    with matplotlib.rc_context(style):
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        FigureCanvasAgg(figure)  # the Agg backend, set on this figure explicitly
        # Fixed margins: a constrained layout would measure every label first (a third of the time).
        top, bottom = figure.subplots(
            2,
            1,
            height_ratios=(3, 2),
            gridspec_kw={"left": 0.08, "right": 0.92, "top": 0.95, "bottom": 0.08, "hspace": 0.32},
        )
        _subscribers_panel(top, data.days)
        _broadcasts_panel(bottom, data.broadcasts)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _subscribers_panel(ax: Axes, days: Sequence[DayPoint]) -> None:
    from matplotlib.dates import DateFormatter, date2num
    from matplotlib.ticker import MaxNLocator

    ax.set_title("Người đăng ký theo ngày · Subscribers by day")
    if not days:
        _empty(ax)
        return
    x = [float(date2num(d.day)) for d in days]  # type: ignore[no-untyped-call]
    ax.bar(x, [d.joins for d in days], color="#2e7d32", label="Đăng ký · Joined")
    ax.bar(x, [-d.leaves for d in days], color="#f9a825", label="Rời · Left")
    ax.bar(x, [-d.blocked for d in days], bottom=[-d.leaves for d in days], color="#c62828", label="Chặn · Blocked")
    ax.axhline(0, color="#666666", linewidth=0.6)
    ax.set_ylabel("Vào / ra · In / out")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    line_ax = ax.twinx()
    line_ax.plot(x, [d.active for d in days], color="#1565c0", linewidth=2, marker=".", label="Đang nhận · Active")
    line_ax.set_ylabel("Đang nhận · Active")
    line_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    line_ax.set_ylim(bottom=0, top=max(1, *(d.active for d in days)) * 1.15)
    handles, labels = ax.get_legend_handles_labels()
    more_handles, more_labels = line_ax.get_legend_handles_labels()
    ax.legend(handles + more_handles, labels + more_labels, loc="upper left", fontsize=8, ncols=4)
    ax.set_xlim(x[0] - 1, x[-1] + 1)  # date numbers count days
    ax.xaxis.set_major_formatter(DateFormatter("%d/%m"))  # type: ignore[no-untyped-call]
    low = min(0, *(-(d.leaves + d.blocked) for d in days))
    high = max(1, *(d.joins for d in days))
    ax.set_ylim(low * 1.3 - 0.5, high * 1.6 + 0.5)  # room for the legend


def _broadcasts_panel(ax: Axes, broadcasts: Sequence[BroadcastPoint]) -> None:
    ax.set_title("Bản tin gần đây · Recent broadcasts")
    if not broadcasts:
        _empty(ax)
        return
    positions = list(range(len(broadcasts)))
    width = 0.38
    delivered = [_percent(b.delivered, b.recipients) for b in broadcasts]
    acked = [_percent(b.acknowledged or 0, b.recipients) for b in broadcasts]
    bars = ax.bar([p - width / 2 for p in positions], delivered, width, color="#1565c0", label="Đã gửi đủ · Delivered")
    ack_bars = ax.bar([p + width / 2 for p in positions], acked, width, color="#2e7d32", label="Đã nhận · Acknowledged")
    ax.bar_label(bars, fmt="%.0f%%", fontsize=8, padding=2)
    ack_labels = ["—" if b.acknowledged is None else f"{a:.0f}%" for b, a in zip(broadcasts, acked, strict=True)]
    ax.bar_label(ack_bars, labels=ack_labels, fontsize=8, padding=2)
    ax.set_xticks(positions, [f"#{b.broadcast_id}\n{b.recipients} người" for b in broadcasts])
    ax.set_ylim(0, 118)
    ax.set_ylabel("% người nhận · % of recipients")
    ax.legend(loc="upper left", fontsize=8, ncols=2)


def _empty(ax: Axes) -> None:
    ax.text(0.5, 0.5, "Chưa có dữ liệu · No data yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _submit(data: ChartData) -> concurrent.futures.Future[bytes]:
    """Hand a chart to the worker process, starting it the first time (blocking: call in a thread)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: the bot's process has threads (aiosqlite's, the store's), and a forked
            # child gets copies of their locks in whatever state they were
            # (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods).
            _pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool.submit(render_png, data)


async def render(data: ChartData) -> bytes:
    """The chart as PNG bytes, drawn in the worker process (one chart at a time there) while the event
    loop goes on. A worker that died (killed, out of memory) is replaced once."""
    for attempt in (1, 2):
        try:
            # Submitting may start the process (tens of milliseconds): not on the loop's thread either.
            future = await asyncio.to_thread(_submit, data)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            shutdown()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def shutdown() -> None:
    """Stop the worker process, if one was started (the application's shutdown calls this; the next
    ``render`` starts a new one)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
