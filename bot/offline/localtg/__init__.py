"""Local imitation of the Telegram Bot API over HTTP on 127.0.0.1.

Used by the console mode, the end-to-end tests and the broadcast benchmarks instead of api.telegram.org:
point python-telegram-bot at ``LocalTelegram.base_url`` / ``base_file_url``. See ``server`` for the
Python API, ``control`` for the HTTP control API, ``limits`` for the flood rules and ``htmltext`` for the
HTML validation. ``python -m bot.offline.localtg`` runs it standalone.
"""

from .limits import Limits
from .server import LocalTelegram
from .state import CallbackAnswer, EditRecord, InlineAnswer, SentMessage, StoredFile, sequence_hash

__all__ = [
    "CallbackAnswer",
    "EditRecord",
    "InlineAnswer",
    "Limits",
    "LocalTelegram",
    "SentMessage",
    "StoredFile",
    "sequence_hash",
]
