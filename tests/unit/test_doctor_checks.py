"""The doctor's Telegram-free judgements: the webhook against WEBHOOK_URL, an API that fails, the
verdict and its exit code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.services import doctor
from bot.services.doctor import (
    BotIdentity,
    Check,
    Level,
    TelegramUnavailable,
    WebhookFacts,
    database_checks,
    human_size,
    local_time,
    telegram_checks,
    verdict,
    webhook_checks,
)
from data.store import Store

VN = dt.timezone(dt.timedelta(hours=7))
URL = "https://bot.example.org/telegram"


def levels(checks: list[Check]) -> list[tuple[str, Level]]:
    return [(c.name, c.level) for c in checks]


def test_webhook_against_webhook_url() -> None:
    [none] = webhook_checks(WebhookFacts("", 0), webhook_url=None, zone=VN)
    assert none == Check("webhook", Level.OK, "none set (long polling), 0 update(s) waiting")
    [same] = webhook_checks(WebhookFacts(URL, 2), webhook_url=URL, zone=VN)
    assert same == Check("webhook", Level.OK, f"{URL} (as WEBHOOK_URL), 2 update(s) waiting")
    [other] = webhook_checks(WebhookFacts("https://old.example.org/hook", 0), webhook_url=URL, zone=VN)
    assert other.level is Level.WARN and "Telegram has https://old.example.org/hook, WEBHOOK_URL is" in other.detail
    [unset] = webhook_checks(WebhookFacts("", 0), webhook_url=URL, zone=VN)
    assert unset.level is Level.WARN and "run sets it at start" in unset.detail
    [stray] = webhook_checks(WebhookFacts(URL, 0), webhook_url=None, zone=VN)
    assert stray.level is Level.WARN and "WEBHOOK_URL is not set" in stray.detail
    [backlog] = webhook_checks(WebhookFacts("", 500), webhook_url=None, zone=VN)
    assert backlog.level is Level.WARN and "500 update(s) waiting" in backlog.detail


def test_webhook_last_error_is_a_warning_line_in_local_time() -> None:
    when = dt.datetime(2026, 12, 3, 1, 30, tzinfo=dt.UTC)
    _, error = webhook_checks(WebhookFacts(URL, 1, when, "Connection refused"), webhook_url=URL, zone=VN)
    assert error == Check(
        "webhook error",
        Level.WARN,
        "Telegram's last delivery to the webhook failed 2026-12-03 08:30 (UTC+07): Connection refused",
    )
    assert local_time("2026-12-03T01:30:00.000000Z", dt.timezone(dt.timedelta(hours=5, minutes=30))) == (
        "2026-12-03 07:00 (UTC+05:30)"
    )


class FailingApi:
    def __init__(self, fail_on: str) -> None:
        self.fail_on = fail_on

    async def get_me(self) -> BotIdentity:
        if self.fail_on == "getMe":
            raise TelegramUnavailable("cannot reach the Telegram Bot API at https://x: timed out")
        return BotIdentity(1, "b")

    async def get_webhook_info(self) -> WebhookFacts:
        raise TelegramUnavailable("Telegram answered: Internal Server Error")


async def test_an_api_that_fails_is_a_cross_and_the_rest_is_not_checked() -> None:
    checks = await telegram_checks(FailingApi("getMe"), webhook_url=None, zone=VN)
    assert levels(checks) == [("token", Level.FAIL), ("webhook", Level.WARN)]
    assert checks[0].detail.endswith("timed out")
    checks = await telegram_checks(FailingApi("getWebhookInfo"), webhook_url=None, zone=VN)
    assert levels(checks) == [("token", Level.OK), ("webhook", Level.FAIL)]
    assert levels(await telegram_checks(None, webhook_url=None, zone=VN)) == [
        ("token", Level.FAIL),
        ("webhook", Level.WARN),
    ]


def test_the_verdict_and_exit_code() -> None:
    ok, warn, fail = Check("a", Level.OK, ""), Check("b", Level.WARN, ""), Check("c", Level.FAIL, "")
    assert verdict([ok]) == ("verdict: ✓ healthy", 0)
    assert verdict([ok, warn]) == ("verdict: ⚠ working, 1 warning(s) (b)", 0)
    assert verdict([ok, warn, fail, fail]) == ("verdict: ✗ not healthy: 2 problem(s) to fix (c)", 1)
    assert Check("token", Level.FAIL, "x").line() == "✗ token: x"


def test_sizes() -> None:
    assert [human_size(n) for n in (0, 1023, 1024, 5 * 1024**2 + 1, 3 * 1024**4)] == [
        "0 bytes",
        "1023 bytes",
        "1.0 KB",
        "5.0 MB",
        "3072.0 GB",
    ]


async def test_a_big_file_gets_quick_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db):
        pass
    now = dt.datetime.now(dt.UTC)

    def integrity() -> Check:
        [check] = [c for c in database_checks(db, now=now, running=False, zone=VN) if c.name == "integrity"]
        return check

    assert integrity() == Check("integrity", Level.OK, "ok (integrity_check)")
    monkeypatch.setattr(doctor, "QUICK_CHECK_ABOVE", db.stat().st_size - 1)
    assert integrity() == Check("integrity", Level.OK, "ok (quick_check)")
