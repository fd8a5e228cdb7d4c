"""``python -m bot doctor``: what is checked and what each finding means, as :class:`Check` records.

Free of Telegram types: the Bot API is behind the tiny :class:`BotApi` protocol (the CLI hands in
one made of PTB's ``Bot``), the database is read through data/health.py (read-only, never created).
A check is ✓ (fine), ⚠ (worth knowing, the bot works) or ✗ (the bot cannot work as it is, or is not
delivering); ``doctor`` exits 1 when any check is ✗.

Thresholds, and why:

- *stuck*: a queued or running broadcast with pending rows none of which, nor the broadcast itself,
  changed for :data:`STUCK_AFTER` (30 minutes). A delivering bot changes rows every second; the
  longest wait Telegram imposes is a 429's ``retry_after``, which is seconds to minutes
  (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). Paused
  broadcasts are an admin's choice and are not stuck.
- *overdue*: a scheduled broadcast :data:`OVERDUE_AFTER` (5 minutes) past its time; a running bot
  starts one within a minute of it.
- *failed*: rows marked failed in the last :data:`FAILED_WINDOW` (7 days), grouped by Telegram's
  answer; a few "bot was blocked by the user" are normal life, so this is a ⚠, never a ✗.
- ``quick_check`` instead of ``integrity_check`` above :data:`QUICK_CHECK_ABOVE` (256 MiB), so the
  doctor stays quick on a big archive (https://sqlite.org/pragma.html#pragma_quick_check).
- a -wal file above :data:`WAL_WARN` (64 MiB): SQLite checkpoints it at about 4 MiB
  (https://sqlite.org/wal.html#ckpt), so a big one means checkpoints are being starved.
"""

from __future__ import annotations

import datetime as dt
import enum
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from data import health
from data.instance_lock import Probe
from data.store import created_marker, lost_database, migrations

STUCK_AFTER = dt.timedelta(minutes=30)
OVERDUE_AFTER = dt.timedelta(minutes=5)
FAILED_WINDOW = dt.timedelta(days=7)
QUICK_CHECK_ABOVE = 256 * 1024 * 1024
WAL_WARN = 64 * 1024 * 1024
LOW_DISK = 200 * 1024 * 1024
MANY_UPDATES = 100  # updates Telegram holds for the bot: a bot that is not fetching them
SQLITE_HEADER = b"SQLite format 3\x00"  # https://sqlite.org/fileformat.html#the_database_header


class Level(enum.StrEnum):
    OK = "✓"
    WARN = "⚠"
    FAIL = "✗"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    level: Level
    detail: str

    def line(self) -> str:
        return f"{self.level} {self.name}: {self.detail}"


@dataclass(frozen=True, slots=True)
class BotIdentity:
    id: int
    username: str


@dataclass(frozen=True, slots=True)
class WebhookFacts:
    """getWebhookInfo's answer (https://core.telegram.org/bots/api#webhookinfo)."""

    url: str
    pending_update_count: int
    last_error_date: dt.datetime | None = None
    last_error_message: str | None = None


class TelegramUnavailable(Exception):
    """The Bot API did not answer, or refused the token; the message is one line, without the token."""


class BotApi(Protocol):
    async def get_me(self) -> BotIdentity: ...

    async def get_webhook_info(self) -> WebhookFacts: ...


def head_version() -> int:
    return len(migrations())


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError  # pragma: no cover


def utc_text(moment: dt.datetime) -> str:
    """data.store.utcnow()'s format, for comparing with the stored timestamps."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def local_time(moment: dt.datetime | str, zone: dt.tzinfo) -> str:
    if isinstance(moment, str):
        try:
            parsed = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
        moment = parsed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(zone)
    offset = f"{local:%z}"  # "+0700"
    offset = offset[:3] if offset[3:] == "00" else f"{offset[:3]}:{offset[3:]}"
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset})"


def verdict(checks: Sequence[Check]) -> tuple[str, int]:
    """The last line and the exit code: 1 when any check is ✗."""
    failed = [c for c in checks if c.level is Level.FAIL]
    warned = [c for c in checks if c.level is Level.WARN]
    if failed:
        names = ", ".join(dict.fromkeys(c.name for c in failed))
        return f"verdict: ✗ not healthy: {len(failed)} problem(s) to fix ({names})", 1
    if warned:
        names = ", ".join(dict.fromkeys(c.name for c in warned))
        return f"verdict: ⚠ working, {len(warned)} warning(s) ({names})", 0
    return "verdict: ✓ healthy", 0


# ------------------------------------------------------------------------------------------ checks


def settings_checks(sources: str, admin_count: int) -> list[Check]:
    checks = [Check("settings", Level.OK, f"loaded: {sources}")]
    if admin_count == 0:
        checks.append(Check("admins", Level.WARN, "ADMIN_IDS is empty: no one can publish from Telegram"))
    else:
        checks.append(Check("admins", Level.OK, f"{admin_count} admin(s) in ADMIN_IDS"))
    return checks


async def telegram_checks(api: BotApi | None, *, webhook_url: str | None, zone: dt.tzinfo) -> list[Check]:
    """The token (getMe) and the webhook (getWebhookInfo, compared with WEBHOOK_URL)."""
    if api is None:
        return [
            Check("token", Level.FAIL, "BOT_TOKEN is not set: get one from @BotFather and put it in .env"),
            Check("webhook", Level.WARN, "not checked (no token)"),
        ]
    try:
        me = await api.get_me()
    except TelegramUnavailable as exc:
        return [Check("token", Level.FAIL, str(exc)), Check("webhook", Level.WARN, "not checked (getMe failed)")]
    checks = [Check("token", Level.OK, f"accepted by Telegram: @{me.username} (id {me.id})")]
    try:
        info = await api.get_webhook_info()
    except TelegramUnavailable as exc:
        return [*checks, Check("webhook", Level.FAIL, f"getWebhookInfo failed: {exc}")]
    return checks + webhook_checks(info, webhook_url=webhook_url, zone=zone)


def webhook_checks(info: WebhookFacts, *, webhook_url: str | None, zone: dt.tzinfo) -> list[Check]:
    waiting = f"{info.pending_update_count} update(s) waiting"
    level = Level.WARN if info.pending_update_count > MANY_UPDATES else Level.OK
    if not info.url and not webhook_url:
        check = Check("webhook", level, f"none set (long polling), {waiting}")
    elif not webhook_url:
        check = Check(
            "webhook",
            Level.WARN,
            f"Telegram posts updates to {info.url} but WEBHOOK_URL is not set: run (long polling) removes "
            f"that webhook at start; {waiting}",
        )
    elif not info.url:
        check = Check("webhook", Level.WARN, f"none set, WEBHOOK_URL is {webhook_url}: run sets it at start; {waiting}")
    elif info.url != webhook_url:
        check = Check(
            "webhook",
            Level.WARN,
            f"Telegram has {info.url}, WEBHOOK_URL is {webhook_url}: run sets WEBHOOK_URL at start; {waiting}",
        )
    else:
        check = Check("webhook", level, f"{info.url} (as WEBHOOK_URL), {waiting}")
    checks = [check]
    if info.last_error_date is not None or info.last_error_message:
        when = "at an unknown time" if info.last_error_date is None else local_time(info.last_error_date, zone)
        message = (info.last_error_message or "no message").strip()[:300]
        checks.append(
            Check("webhook error", Level.WARN, f"Telegram's last delivery to the webhook failed {when}: {message}")
        )
    return checks


def instance_check(probe: Probe) -> Check:
    if not probe.running:
        return Check("bot process", Level.OK, "no bot is running on this database")
    pid = f" (pid {probe.pid})" if probe.pid is not None else ""
    return Check("bot process", Level.OK, f"running{pid}")


def database_checks(path: Path, *, now: dt.datetime, running: bool, zone: dt.tzinfo) -> list[Check]:
    """The file, then (when it can be opened read-only) integrity, schema and outbox."""
    facts = health.inspect_file(path)
    if not facts.exists:
        folder = "" if facts.folder_exists else " (its folder does not exist either)"
        if running:
            return [
                Check(
                    "database",
                    Level.FAIL,
                    f"the database file is missing while a bot runs on it: {path}{folder} was deleted or moved; "
                    "stop the bot and restore a backup (python -m bot restore FILE)",
                )
            ]
        if lost_database(path) is not None:  # its .created marker: a bot ran on it, `run` refuses
            marker = created_marker(path)
            return [
                Check(
                    "database",
                    Level.FAIL,
                    f"the database file is missing but it existed before: {path}{folder} was deleted or moved "
                    f"({marker} is there; `run` refuses to start empty); restore a backup "
                    f"(python -m bot restore FILE), or remove {marker} to start empty on purpose",
                )
            ]
        return [
            Check(
                "database",
                Level.FAIL,
                f"the database file is missing: {path}{folder}; if the bot had subscribers, restore a backup "
                "(python -m bot restore FILE) or correct DATABASE_PATH",
            )
        ]
    if not facts.is_file:
        return [Check("database", Level.FAIL, f"{path} is not a file")]
    checks = [_size_check(facts), _write_check(facts)]
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        return [*checks, Check("integrity", Level.FAIL, f"cannot read {path}: {exc.strerror or exc}")]
    if facts.size and header != SQLITE_HEADER:
        return [*checks, Check("integrity", Level.FAIL, f"{path} is not an SQLite database")]
    try:
        with health.read_only(path) as conn:
            checks.append(_integrity_check(conn, quick=facts.size > QUICK_CHECK_ABOVE))
            schema_check, schema = _schema_check(conn)
            checks.append(schema_check)
            if schema is not None and not schema.missing_tables:
                checks += _outbox_checks(conn, now=now, running=running, zone=zone, version=schema.version)
    except sqlite3.DatabaseError as exc:
        checks.append(Check("integrity", Level.FAIL, f"the database is damaged or unreadable: {exc}"))
    except sqlite3.Error as exc:
        checks.append(Check("database", Level.FAIL, f"cannot open {path} read-only: {exc}"))
    return checks


def _size_check(facts: health.FileFacts) -> Check:
    wal = "no -wal file" if facts.wal_size is None else f"-wal {human_size(facts.wal_size)}"
    detail = f"{facts.path}, {human_size(facts.size)}, {wal}"
    if facts.wal_size is not None and facts.wal_size > WAL_WARN:
        return Check(
            "database", Level.WARN, f"{detail}: the -wal file is large (checkpoints are held up by a long reader?)"
        )
    return Check("database", Level.OK, detail)


def _write_check(facts: health.FileFacts) -> Check:
    if facts.read_only:
        return Check(
            "writable", Level.FAIL, "the database file is read-only: the bot cannot record deliveries or subscribers"
        )
    if not facts.folder_writable:
        return Check(
            "writable",
            Level.FAIL,
            f"the folder {facts.path.parent} is not writable: SQLite creates the -wal and -shm files there",
        )
    if facts.free_bytes is not None and facts.free_bytes < LOW_DISK:
        return Check("writable", Level.WARN, f"yes, but only {human_size(facts.free_bytes)} free on its disk")
    free = "" if facts.free_bytes is None else f", {human_size(facts.free_bytes)} free"
    return Check("writable", Level.OK, f"yes{free}")


def _integrity_check(conn: sqlite3.Connection, *, quick: bool) -> Check:
    result = health.integrity(conn, quick=quick)
    if result.problems:
        return Check("integrity", Level.FAIL, f"damaged ({result.method}: {'; '.join(result.problems)[:300]})")
    return Check("integrity", Level.OK, f"ok ({result.method})")


def _schema_check(conn: sqlite3.Connection) -> tuple[Check, health.SchemaFacts | None]:
    schema = health.schema(conn)
    head = head_version()
    if schema.version > head:
        return Check(
            "schema",
            Level.FAIL,
            f"version {schema.version} is newer than this bot's migrations ({head}): run the newer bot, "
            "or restore a backup taken for this one",
        ), schema
    if schema.version == 0 and not schema.tables:
        return Check("schema", Level.WARN, f"an empty database: run creates its tables (version {head})"), schema
    if schema.missing_tables:
        missing = ", ".join(schema.missing_tables)
        return Check("schema", Level.FAIL, f"not this bot's database (no table {missing})"), schema
    if schema.version < head:
        return Check(
            "schema",
            Level.WARN,
            f"version {schema.version}, this bot's is {head}: will migrate at the next start (backup first)",
        ), schema
    return Check("schema", Level.OK, f"version {schema.version} (current)"), schema


def _outbox_checks(
    conn: sqlite3.Connection, *, now: dt.datetime, running: bool, zone: dt.tzinfo, version: int
) -> list[Check]:
    try:
        facts = health.outbox(
            conn,
            stuck_before=utc_text(now - STUCK_AFTER),
            failed_since=utc_text(now - FAILED_WINDOW),
            overdue_before=utc_text(now - OVERDUE_AFTER),
        )
    except sqlite3.OperationalError as exc:  # an old schema without a column the queries use
        return [Check("outbox", Level.WARN, f"not read at schema version {version} ({exc}); run migrates it")]
    checks: list[Check] = []
    if facts.pending_total:
        parts = ", ".join(f"{status} {n}" for status, n in sorted(facts.pending.items()))
        checks.append(Check("outbox", Level.OK, f"{facts.pending_total} pending row(s) ({parts})"))
    else:
        checks.append(Check("outbox", Level.OK, "nothing pending"))
    # A bot that runs and does not move them is not delivering (✗); without one, they wait for it (⚠).
    waiting_level = Level.FAIL if running else Level.WARN
    who = "the running bot is not delivering it (see its log)" if running else "no bot is running to deliver it"
    if facts.stuck:
        listed = "; ".join(
            f"#{s.broadcast_id} ({s.status}, {s.pending} pending) has not moved since {local_time(s.last_moved, zone)}"
            for s in facts.stuck[:5]
        )
        checks.append(Check("stuck", waiting_level, f"{listed}: {who}"))
    else:
        minutes = int(STUCK_AFTER.total_seconds() // 60)
        checks.append(Check("stuck", Level.OK, f"none (no queued or running broadcast idle for {minutes} min)"))
    days = FAILED_WINDOW.days
    if facts.failed:
        reasons = ", ".join(f"{error or 'no reason'} ×{n}" for error, n in facts.failed[:3])
        checks.append(Check("failed", Level.WARN, f"{facts.failed_total} row(s) in the last {days} days ({reasons})"))
    else:
        checks.append(Check("failed", Level.OK, f"none in the last {days} days"))
    if facts.overdue:
        listed = ", ".join(f"#{i} was due {local_time(at, zone)}" for i, at in facts.overdue[:5])
        late_who = "the running bot has not started it (see its log)" if running else "it starts when the bot starts"
        checks.append(Check("scheduled", waiting_level, f"{listed}: {late_who}"))
    else:
        checks.append(Check("scheduled", Level.OK, "none overdue"))
    return checks
