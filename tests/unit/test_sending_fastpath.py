"""The fast path's reading of Telegram's answers, on answers the imitation does not give: another key
order, odd bodies, 401/409, a 429 (the seam tests compare the answers it does give with PTB's path)."""

from __future__ import annotations

import time

import pytest
from telegram.error import BadRequest
from telegram.ext import ExtBot
from yarl import URL

from bot.delivery.outcomes import Outcome
from bot.delivery.pacing import Pacer
from bot.ptb.request import AiohttpRequest
from bot.ptb.sending import TelegramSender, answer_error, classify
from tests.conftest import TOKEN


class CannedRequest(AiohttpRequest):
    """Answers every POST with the same (status, body), without a network."""

    __slots__ = ("answer", "bodies")

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__()
        self.answer = (status, body)
        self.bodies: list[bytes] = []

    async def post_json(self, url: str | URL, body: bytes, *, read_timeout: float | None) -> tuple[int, bytes]:
        self.bodies.append(body)
        return self.answer


def sender_for(status: int, body: bytes, pacer: Pacer | None = None) -> tuple[TelegramSender, CannedRequest]:
    request = CannedRequest(status, body)
    bot: ExtBot[None] = ExtBot(TOKEN, base_url="http://127.0.0.1:9/bot", request=request)
    sender = TelegramSender(bot, pacer=pacer or Pacer(1000))
    assert sender.fast
    return sender, request


@pytest.mark.parametrize(
    ("status", "body", "outcome", "message_id"),
    [
        (200, b'{"ok":true,"result":{"message_id":42,"chat":{"id":1}}}', Outcome.SENT, 42),
        (200, b'{"result": {"chat": {"id": 1}, "message_id": 43}, "ok": true}', Outcome.SENT, 43),
        (200, b'{"ok":true,"result":true}', Outcome.TRANSIENT, None),
        (200, b"<html>not json</html>", Outcome.TRANSIENT, None),
        (401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}', Outcome.TRANSIENT, None),
        (409, b'{"ok":false,"error_code":409,"description":"Conflict: terminated"}', Outcome.FATAL, None),
        (400, b'{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}', Outcome.NOT_FOUND, None),
        (400, b'{"ok":false,"error_code":400,"description":"Bad Request: TOPIC_CLOSED"}', Outcome.REJECTED, None),
        (403, b"<html>403 Forbidden</html>", Outcome.GONE, None),
        (503, b"[1, 2]", Outcome.TRANSIENT, None),
    ],
)
async def test_answers_are_read_as_ptb_would_raise_them(
    status: int, body: bytes, outcome: Outcome, message_id: int | None
) -> None:
    sender, request = sender_for(status, body)
    result = await sender.send(5, "một", notify=True)
    assert (result.outcome, result.message_id) == (outcome, message_id)
    assert len(request.bodies) == 1


def test_an_error_answer_keeps_telegrams_description() -> None:
    error = answer_error(400, b'{"ok":false,"error_code":400,"description":"Bad Request: TOPIC_CLOSED"}')
    assert classify(error) == classify(BadRequest("Bad Request: TOPIC_CLOSED"))  # as PTB's path says it


async def test_a_429_pauses_all_sending_for_its_retry_after() -> None:
    pacer = Pacer(1000)
    sender, _ = sender_for(429, b'{"ok":false,"error_code":429,"parameters":{"retry_after":7}}', pacer)
    before = time.monotonic()
    result = await sender.send(5, "một", notify=True)
    assert (result.outcome, result.retry_after) == (Outcome.RETRY_AFTER, 7.0)
    assert pacer.pause(0) >= before + 7.0  # the deadline in force, which never moves earlier


async def test_each_texts_json_is_made_once_and_reused() -> None:
    sender, request = sender_for(200, b'{"ok":true,"result":{"message_id":1}}')
    for chat in (1, 2):
        await sender.send(chat, "Nhiệm vụ ✅", notify=False)
    first, second = request.bodies
    assert first.replace(b'"chat_id":1,', b'"chat_id":2,') == second
