"""``LOG_FORMAT``: ``text`` keeps the one-line format, ``json`` writes one object per line with the
caller's ``extra=`` fields (the outcome policy's broadcast and chat ids), and the token is redacted
from both, wherever in the record it hides."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from bot import logging_setup
from bot.delivery.outcomes import Outcome, SendResult
from bot.settings import Settings
from data.store import Store
from tests.delivery_helpers import add_subscribers, queue
from tests.unit.test_engine_policy import Setup

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
OTHER = "987654321:AAAAbbbbCCCCddddEEEEffffGGGGhhhh"  # token-shaped, not in the secrets


@pytest.fixture
def restore_root() -> Iterator[None]:
    """configure() replaces the root logger's handlers (pytest's among them): put them back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines()]


def test_json_is_one_object_per_line_with_the_extra_fields(
    restore_root: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logging_setup.configure("INFO", secrets=(TOKEN,), fmt="json")
    log = logging.getLogger("bot.delivery.engine")
    log.info("broadcast %s done: %s/%s sent", 7, 5, 6, extra={"broadcast_id": 7, "chat_id": -100123})
    log.warning("Bản tin tháng 12 · line\nbreak")
    log.debug("not at INFO")
    first, second = lines(capsys.readouterr().err)
    assert set(first) == {"ts", "level", "logger", "msg", "broadcast_id", "chat_id"}
    assert first["msg"] == "broadcast 7 done: 5/6 sent"
    assert (first["level"], first["logger"]) == ("INFO", "bot.delivery.engine")
    assert (first["broadcast_id"], first["chat_id"]) == (7, -100123)  # numbers, not text
    assert isinstance(first["ts"], str) and first["ts"].endswith("Z") and first["ts"][10] == "T"
    assert second["msg"] == "Bản tin tháng 12 · line\nbreak" and second["level"] == "WARNING"


def test_json_redacts_the_token_in_the_message_arguments_extras_and_tracebacks(
    restore_root: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logging_setup.configure("INFO", secrets=(TOKEN,), fmt="json")
    log = logging.getLogger("telegram.ext.Updater")
    log.info(f"GET https://api.telegram.org/bot{TOKEN}/getMe")
    log.info("url %s", f"https://api.telegram.org/file/bot{TOKEN.replace(':', '%3A')}/x.pdf")
    log.info("extra", extra={"url": f"https://api.telegram.org/bot{TOKEN}/getMe", "other": OTHER})
    try:
        raise RuntimeError(f"Unauthorized for https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        log.exception("failed")
    err = capsys.readouterr().err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err and OTHER not in err
    records = lines(err)
    assert len(records) == 4
    assert records[0]["msg"] == "GET https://api.telegram.org/bot<redacted-token>/getMe"
    assert records[1]["msg"] == "url https://api.telegram.org/file/bot<redacted-token>/x.pdf"
    assert records[2]["url"] == "https://api.telegram.org/bot<redacted-token>/getMe"
    assert records[2]["other"] == "<redacted-token>"
    assert "RuntimeError: Unauthorized for https://api.telegram.org/bot<redacted-token>" in str(records[3]["msg"])


def test_text_stays_the_readable_line(restore_root: None, capsys: pytest.CaptureFixture[str]) -> None:
    logging_setup.configure("INFO", secrets=(TOKEN,))
    logging.getLogger("bot.x").info("sent %s via bot%s", 3, TOKEN, extra={"broadcast_id": 1})
    err = capsys.readouterr().err.strip()
    assert err.endswith(" INFO bot.x: sent 3 via bot<redacted-token>")
    assert not err.startswith("{")


def test_an_unknown_format_is_refused(restore_root: None) -> None:
    with pytest.raises(ValueError, match="text, json"):
        logging_setup.configure("INFO", fmt="xml")


def test_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert Settings().log_format == "text"
    monkeypatch.setenv("LOG_FORMAT", " JSON ")
    assert Settings().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match="must be text or json"):
        Settings()


async def test_the_outcome_policy_logs_broadcast_and_chat_ids_as_fields(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, n=2)
    setup = Setup(store)
    formatter = logging_setup.JsonFormatter(logging_setup.RedactingFilter(()).redact)
    with caplog.at_level(logging.INFO, logger="bot.delivery.policy"):
        lane = await setup.lane(2)
        await setup.policy.apply(lane, lane.items[0], SendResult(Outcome.REJECTED, error="Bad Request: no rights"))
        lane = await setup.lane(1)
        await setup.policy.apply(lane, lane.items[0], SendResult(Outcome.RETRY_AFTER, retry_after=3.0))
    refused, paused = (json.loads(formatter.format(r)) for r in caplog.records)
    assert refused["msg"] == f"chat 2 refused part 1 of broadcast {info.id}: Bad Request: no rights"
    assert (refused["chat_id"], refused["broadcast_id"], refused["seq"]) == (2, info.id, 1)
    assert refused["outcome"] == "rejected" and refused["level"] == "WARNING"
    assert (paused["chat_id"], paused["broadcast_id"], paused["retry_after"]) == (1, info.id, 3.0)
