"""The event loop the bot runs on: uvloop where it is installed (Linux, macOS), asyncio's own
elsewhere (uvloop has no Windows build).

Why: on a small VM each wake-up of the event loop costs about 0.2 ms of CPU, as much as the rest of
a send, and uvloop's loop (libuv, in C) does the same work for less. Broadcast benchmark (a_group,
28/s): 0.53 ms of CPU per message on asyncio's loop, 0.45 on uvloop, same code and same sends.
Nothing in the bot depends on which loop it is; the tests run on asyncio's and one test on this.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def name() -> str:
    """ "uvloop" or "asyncio": the loop ``run`` uses here."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, on uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
