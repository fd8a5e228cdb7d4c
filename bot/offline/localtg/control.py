"""HTTP control API of the local Telegram imitation, under ``/_control/``.

Benchmarks run the server in a separate process, so everything a test does through the Python API
(faults, limits, injected updates, stats, delivered messages) is also reachable over HTTP with JSON
bodies. Errors come back as ``400 {"error": "..."}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import LocalTelegram

__all__ = ["add_control_routes"]

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("JSON object expected")
    return data


def _ok(payload: Any = None) -> web.Response:
    return web.json_response({"ok": True} if payload is None else payload)


def _guard(fn: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> _Handler:
    # Bad input to the control API is a caller bug: report it plainly instead of a 500 traceback.
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await fn(request)
        except (ValueError, TypeError, KeyError) as err:
            return web.json_response({"error": f"{type(err).__name__}: {err}"}, status=400)

    return wrapper


def add_control_routes(app: web.Application, tg: LocalTelegram) -> None:
    async def stats(request: web.Request) -> web.StreamResponse:
        return web.json_response(tg.stats())

    async def reset(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        if body.get("records", True):
            tg.clear()
        if body.get("faults", True):
            tg.reset_faults()
        return _ok()

    async def get_config(request: web.Request) -> web.StreamResponse:
        return web.json_response({"limits": tg.limits.to_dict(), "record_texts": tg.record_texts})

    async def config(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        limits = body.pop("limits", body)  # accept {"limits": {...}} or the fields at top level
        if "record_texts" in limits:
            tg.record_texts = bool(limits.pop("record_texts"))
        tg.configure(**limits)
        return web.json_response({"limits": tg.limits.to_dict(), "record_texts": tg.record_texts})

    async def faults(request: web.Request) -> web.StreamResponse:
        return web.json_response(tg.faults.describe())

    async def block(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        ids = body["chat_ids"] if "chat_ids" in body else [body["chat_id"]]
        for chat_id in ids:
            tg.block(int(chat_id), str(body.get("kind", "blocked")))
        return _ok()

    async def unblock(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        tg.unblock(int(body["chat_id"]))
        return _ok()

    async def migrate(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        tg.migrate(int(body["chat_id"]), int(body["new_chat_id"]))
        return _ok()

    async def error_rate(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        seed = body.get("seed")
        tg.error_rate(float(body["p"]), int(body.get("status", 502)), None if seed is None else int(seed))
        return _ok()

    async def storm(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        tg.storm(int(body.get("retry_after", 3)), int(body.get("requests", 10)))
        return _ok()

    async def delay(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        tg.delay(float(body["seconds"]))
        return _ok()

    async def fail_next(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        tg.fail_next(int(body["n"]), int(body.get("status", 502)))
        return _ok()

    async def drop_after_delivery(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        tg.drop_after_delivery(int(body["n"]), str(body.get("mode", "hang")))
        return _ok()

    async def sent(request: web.Request) -> web.StreamResponse:
        # Compact on purpose: rows instead of objects, texts only on request (?texts=1).
        query = request.query
        chat_id = int(query["chat_id"]) if query.get("chat_id") else None
        since = int(query.get("since", "0") or 0)
        with_texts = query.get("texts", "") in ("1", "true")
        if not tg.record_texts:
            if chat_id is None:
                raise ValueError("record_texts is off: only ?chat_id= queries (digests) are available")
            return web.json_response(
                {
                    "fields": ["message_id", "digest"],
                    "rows": [list(r) for r in tg.digests_for(chat_id)],
                    "chat": tg.chat_summary(chat_id),
                }
            )
        source = tg.messages_for(chat_id) if chat_id is not None else tg.sent
        fields = ["seq", "chat_id", "message_id", "at", "digest", "method", "paid", "silent"]
        if with_texts:
            fields.append("text")
        rows: list[list[Any]] = []
        last_seq = since
        for m in source:
            if m.seq <= since:
                continue
            row: list[Any] = [
                m.seq,
                m.chat_id,
                m.message_id,
                round(m.at, 4),
                m.digest,
                m.method,
                int(m.allow_paid_broadcast),
                int(m.disable_notification),
            ]
            if with_texts:
                row.append(m.text)
            rows.append(row)
            last_seq = m.seq
        return web.json_response({"fields": fields, "rows": rows, "last_seq": last_seq})

    async def chat(request: web.Request) -> web.StreamResponse:
        return web.json_response(tg.chat_summary(int(request.query["chat_id"])))

    async def callback_answers(request: web.Request) -> web.StreamResponse:
        # Rows: when each answerCallbackQuery arrived (time.monotonic()), its query id and text.
        rows = [[a.callback_query_id, round(a.at, 4), a.text, int(a.show_alert)] for a in tg.callback_answers]
        return web.json_response({"fields": ["callback_query_id", "at", "text", "show_alert"], "rows": rows})

    async def edits(request: web.Request) -> web.StreamResponse:
        # Rows: every successful edit, when it arrived (time.monotonic()).
        rows = [[e.method, e.chat_id, e.message_id, round(e.at, 4)] for e in tg.edits]
        return web.json_response({"fields": ["method", "chat_id", "message_id", "at"], "rows": rows})

    async def update(request: web.Request) -> web.StreamResponse:
        return web.json_response(tg.add_update(await _body(request)))

    async def user_message(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        return web.json_response(
            tg.user_message(
                int(body["chat_id"]),
                str(body["text"]),
                user_id=int(body["user_id"]) if body.get("user_id") is not None else None,
                first_name=str(body.get("first_name", "User")),
                chat_type=body.get("chat_type"),
                username=body.get("username"),
                reply_to=int(body["reply_to"]) if body.get("reply_to") is not None else None,
            )
        )

    async def user_callback(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        return web.json_response(
            tg.user_callback(
                int(body["chat_id"]),
                int(body["message_id"]),
                str(body["data"]),
                user_id=int(body["user_id"]) if body.get("user_id") is not None else None,
            )
        )

    async def member(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        tg.set_member_status(int(body["chat_id"]), int(body["user_id"]), str(body["status"]))
        return _ok()

    routes: list[tuple[str, str, _Handler]] = [
        ("GET", "stats", stats),
        ("POST", "reset", reset),
        ("GET", "config", get_config),
        ("POST", "config", config),
        ("GET", "faults", faults),
        ("POST", "block", block),
        ("POST", "unblock", unblock),
        ("POST", "migrate", migrate),
        ("POST", "error_rate", error_rate),
        ("POST", "storm", storm),
        ("POST", "delay", delay),
        ("POST", "fail_next", fail_next),
        ("POST", "drop_after_delivery", drop_after_delivery),
        ("GET", "sent", sent),
        ("GET", "chat", chat),
        ("GET", "callback_answers", callback_answers),
        ("GET", "edits", edits),
        ("POST", "update", update),
        ("POST", "user_message", user_message),
        ("POST", "user_callback", user_callback),
        ("POST", "member", member),
    ]
    for method, name, handler in routes:
        app.router.add_route(method, f"/_control/{name}", _guard(handler))
