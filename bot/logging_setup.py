"""Logging that never carries the bot token, nor the SQL parameters (personal data) of the store.

The token is part of every Bot API URL (https://core.telegram.org/bots/api#making-requests), so any
library that logs a URL or an exception text can leak it; a filter redacts it from every record.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable

# Anything shaped like a Bot API token: "<digits>:<35-ish url-safe chars>".
_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "<redacted-token>"


class RedactingFilter(logging.Filter):
    """Defence in depth: rewrites any record that contains the token (or a token-shaped string)."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Exceptions such as InvalidToken embed the token in their text; render them now, redacted.
            formatted = logging.Formatter().formatException(record.exc_info)
            cleaned = f"{cleaned}\n{self.redact(formatted)}"
            record.exc_info = None
            record.exc_text = None
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
            # PTB percent-encodes file URLs, so the ':' may appear as %3A.
            text = text.replace(secret.replace(":", "%3A"), REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)


class _QuietInvalidJson(logging.Filter):
    """PTB logs the whole traceback of ``json.loads`` (ERROR) before it raises for an answer that is
    not JSON, such as a wrong TELEGRAM_API_URL's 404 page; the raised error is what we report. Keep
    the record for DEBUG, as one line, and drop it otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith("Can not load invalid JSON data"):
            return True
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


# Every attribute a LogRecord has without ``extra=``; the rest are the caller's fields.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``LOG_FORMAT=json``: one JSON object per line, ``ts`` (UTC, ISO 8601), ``level``, ``logger``,
    ``msg``, then the fields the call passed with ``extra=`` (``broadcast_id``, ``chat_id`` ...).
    The redacting filter has already cleaned ``msg`` (and folded any traceback into it); the whole
    line goes through the same redaction once more, so a token in an extra field is caught too."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        entry: dict[str, object] = {
            "ts": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:  # a record that did not pass the redacting filter
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry and not key.startswith("_"):
                entry[key] = value
        return self._redact(json.dumps(entry, ensure_ascii=False, default=str))


LOG_FORMATS = ("text", "json")


def configure(level: str = "INFO", *, secrets: tuple[str, ...] = (), fmt: str = "text") -> None:
    """Root logging for the bot process: one stderr handler with the redacting filter, writing
    ``fmt`` (``text``: one readable line; ``json``: :class:`JsonFormatter`)."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    root.setLevel(level)
    handler = logging.StreamHandler()
    redacting = RedactingFilter(secrets)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(redacting.redact))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redacting)
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    # httpx logs every request URL, token included, at INFO (PTB examples silence it the same way).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # PTB's DEBUG lines include the API URL and whole message texts.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
    invalid_json = logging.getLogger("telegram.request.BaseRequest")
    for old_filter in [f for f in invalid_json.filters if isinstance(f, _QuietInvalidJson)]:
        invalid_json.removeFilter(old_filter)
    invalid_json.addFilter(_QuietInvalidJson())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # aiosqlite logs every statement it runs, with its parameters (names, chat ids, texts), at DEBUG.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
