"""Command line: ``python -m bot [run|console|parse|import|publish|export|backup|restore|forget|doctor]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot import eventloop
from bot.domain.blocks import Document
from bot.domain.records import Bulletin, BulletinParseError
from bot.settings import TELEGRAM_API_URL, Settings, SettingsFileError, find_env_file, looks_like_token
from bot.webhook_config import WebhookConfig, url_warnings
from data.instance_lock import InstanceLocked, hold
from data.store import StoreError, lost_database

if TYPE_CHECKING:
    from collections.abc import Callable

    from telegram.error import InvalidToken

    from bot.services.doctor import Check

EXIT_CONFIG = 2


class ConfigError(Exception):
    """A setting is missing or invalid: one clear line, exit code 2, no traceback."""


def load_settings() -> Settings:
    try:
        return Settings.load()
    except SettingsFileError as exc:
        raise ConfigError(str(exc)) from None
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper() or "settings"
            lines.append(f"invalid setting {name}: {error['msg']}")
        env_file = find_env_file()
        where = "the environment" if env_file is None else f"the environment or {env_file}"
        raise ConfigError(f"{'; '.join(lines)} (read from {where})") from None


def say_sources(settings: Settings) -> None:
    """The start-up line: which database and which .env file (on stderr; stdout is the result)."""
    print(settings.describe_sources(), file=sys.stderr, flush=True)


def _bulletin_json(bulletin: Bulletin) -> dict[str, object]:
    """The parse result; the fields of a ``tests/data/*.expected.json`` plus the tasks and how sure it is."""
    from bot.domain.parser import looks_incomplete

    words = [t.text.split() for t in bulletin.tasks]
    return {
        "title": bulletin.title,
        "month": bulletin.month,
        "published": bulletin.published,
        "organizer": bulletin.organizer,
        "task_count": len(bulletin.tasks),
        "task_starts": [" ".join(w[:8]) for w in words],
        "task_ends": [" ".join(w[-6:]) for w in words],
        "enumerators": [t.enumerator for t in bulletin.tasks],
        "method": bulletin.method,
        "confidence": bulletin.confidence,
        "stated_count": bulletin.stated_count,
        "looks_incomplete": looks_incomplete(bulletin),
        "tasks": [{"number": t.number, "enumerator": t.enumerator, "text": t.text} for t in bulletin.tasks],
        "warnings": list(bulletin.warnings),
        "warning_codes": [w.code.value for w in bulletin.parse_warnings],
    }


def _one_line(markup: str) -> str:
    """A bot answer (Telegram HTML, Vietnamese and English on their own lines) as one line."""
    from bot.domain.rendering import html_to_plain

    return " · ".join(line.strip() for line in html_to_plain(markup).splitlines() if line.strip())


def _why(exc: Exception) -> str:
    """Why a file or URL gives no bulletin, on one line: as the bot says it (Vietnamese, then English),
    then the loader's or parser's own reason."""
    from bot.ingest import UnsupportedDocument
    from bot.texts.ingest import refusal
    from bot.texts.parsing import error_text

    if isinstance(exc, BulletinParseError):
        return f"{_one_line(error_text(exc))} (cannot split into tasks: {exc})"
    if isinstance(exc, UnsupportedDocument):
        return f"{_one_line(refusal(exc))} (cannot read: {exc})"
    if isinstance(exc, OSError):
        return f"không đọc được tệp · cannot read the file: {exc.strerror or exc}"
    raise exc


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _load_file(source: str) -> Document:
    from bot.ingest import load

    path = Path(source)
    return load(path.read_bytes(), filename=path.name)


async def _read_document(source: str) -> Document:
    """A file or an http(s) URL through the loaders (any format the bot accepts)."""
    from bot.ingest import fetch_url

    if _is_url(source):
        return await fetch_url(source)
    return await asyncio.to_thread(_load_file, source)


async def _read_bulletin(source: str) -> Bulletin | str:
    """The bulletin in a file or at a URL, or why there is none (one line)."""
    from bot.ingest import UnsupportedDocument
    from bot.services.publishing import parse

    try:
        document = await _read_document(source)
        return await asyncio.to_thread(parse, document)
    except (OSError, UnsupportedDocument, BulletinParseError) as exc:
        return _why(exc)


def cmd_parse(args: argparse.Namespace) -> int:
    from bot.domain.parser import parse_document
    from bot.ingest import UnsupportedDocument

    try:
        document = asyncio.run(_read_document(args.file))
        bulletin = parse_document(document)
    except (OSError, UnsupportedDocument, BulletinParseError) as exc:
        print(f"{args.file}: {_why(exc)}", file=sys.stderr)
        return 1
    if args.json:
        result = _bulletin_json(bulletin)
        result["source_format"] = document.source_format
        result["encoding"] = document.encoding
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(bulletin.title)
    print(f"month {bulletin.month} · published {bulletin.published or '—'} · {bulletin.organizer or '—'}")
    print(f"method {bulletin.method} · confidence {bulletin.confidence:.2f} · {document.source_format}")
    for task in bulletin.tasks:
        print(f"\n[{task.number}] ({task.enumerator}) {task.text}")
    for warning in bulletin.warnings:
        print(f"\nwarning: {warning}")
    return 0


async def _import(settings: Settings, files: Sequence[str]) -> int:
    """Every file (or URL) is read first; the archive is opened only for those that are bulletins, so a
    refused file leaves the database as it was."""
    from data import bulletins
    from data.store import Store

    found: list[tuple[str, Bulletin]] = []
    failures = 0
    for name in files:
        read = await _read_bulletin(name)
        if isinstance(read, str):
            print(f"{name}: not imported · không nhập: {read}", file=sys.stderr)
            failures += 1
        else:
            found.append((name, read))
    if not found:
        return 1
    say_sources(settings)
    async with await Store.open(settings.database_path) as store:
        for name, bulletin in found:
            bulletin_id, created = await bulletins.add(store, bulletin)
            state = "added" if created else "already in the archive"
            print(
                f"{name}: {state} as #{bulletin_id}: {bulletin.title} ({bulletin.month}, {len(bulletin.tasks)} tasks)"
            )
    return 1 if failures else 0


def _when(settings: Settings, at: str) -> dt.datetime | str | None:
    """``--at``: the time to schedule for (None: it is now, within a minute), or why not (one line)."""
    from bot.delivery.when import FORMATS_HELP, TimeFormatError, parse_absolute, settle, to_utc_text

    zone = settings.zone
    try:
        moment = parse_absolute(at, zone)
    except TimeFormatError as exc:
        return f"--at: {exc}"
    now = dt.datetime.now(dt.UTC)
    settled = settle(moment, now)
    if settled is None:
        local = moment.astimezone(zone)
        return (
            f"--at: {local:%Y-%m-%d %H:%M} {settings.timezone} ({to_utc_text(moment)[:16]}Z UTC) is in the past; "
            f"nothing queued (give a time ahead, e.g. {FORMATS_HELP})"
        )
    return None if settled == now else settled


async def _publish(
    settings: Settings,
    file: str,
    yes: bool,
    resend_all: bool = False,
    at_text: str | None = None,
    roles: Sequence[str] = (),
    unit_names: Sequence[str] = (),
) -> int:
    """Queue a bulletin (``--at``: schedule it). One already broadcast goes only to the active
    subscribers who do not have it (decided in the transaction that queues it), and says so;
    ``--resend-all`` sends it to everyone. ``--role`` and ``--unit`` (issue 12) narrow it to those
    roles and/or units (a unit by name, listed or typed by a subscriber)."""
    from bot.domain.audience import Target
    from bot.domain.rendering import html_to_plain
    from bot.services import publishing
    from bot.texts.publish import earlier_line, everyone_has_it
    from bot.texts.schedule import cli_scheduled
    from data import units
    from data.store import Store

    at: dt.datetime | None = None
    if at_text is not None:
        when = _when(settings, at_text)
        if isinstance(when, str):
            print(f"error: {when}", file=sys.stderr)
            return EXIT_CONFIG
        at = when
        if at is None:
            print("--at: that is now (within a minute); queuing it at once", file=sys.stderr)
    read = await _read_bulletin(file)
    if isinstance(read, str):
        print(f"{file}: cannot publish, nothing queued · không đăng, chưa gửi gì: {read}", file=sys.stderr)
        return 1
    prepared = publishing.prepare(read)
    audience = publishing.Audience.EVERYONE if resend_all else publishing.Audience.WITHOUT_IT
    say_sources(settings)
    async with await Store.open(settings.database_path) as store:
        unit_ids = []
        for name in unit_names:
            unit = await units.find(store, name)
            if unit is None:
                print(f"error: --unit: no unit called {name!r} (see /units); nothing queued", file=sys.stderr)
                return EXIT_CONFIG
            unit_ids.append(unit.id)
        target = Target(tuple(roles) or None, tuple(unit_ids) or None)
        history = await publishing.history(store, read, target)
        if not yes:
            for message in prepared.messages:
                print(html_to_plain(message.html), end="\n\n")
            for broadcast in history.earlier:
                print(_one_line(earlier_line(broadcast)))
            recipients = history.subscribers if resend_all else history.without
            print(f"{len(prepared.messages)} messages to {recipients} subscribers.")
            if not sys.stdin.isatty():
                print("not sending: add --yes to confirm without a terminal", file=sys.stderr)
                return 1
            answer = await asyncio.get_running_loop().run_in_executor(None, input, "Send? [y/N] ")
            if answer.strip().lower() not in {"y", "yes", "c", "có"}:
                print("cancelled; nothing queued")
                return 1
        queued = await publishing.queue_broadcast(
            store, prepared, requested_by=None, admin_chat_id=None, audience=audience, at=at, target=target
        )
    info = queued.info
    if info is None:
        print(
            f"nothing queued: {_one_line(everyone_has_it(queued.history.have_it))} "
            "(--resend-all sends it to everyone again)"
        )
        return 0
    if info.status == "scheduled" and info.scheduled_at is not None:
        print(
            cli_scheduled(
                info.id, info.message_count, info.recipients, info.scheduled_at, settings.zone, settings.timezone
            )
        )
    else:
        print(
            f"queued broadcast #{info.id}: {info.message_count} messages × {info.recipients} subscribers; "
            "a running bot delivers it"
        )
    if queued.left_out:
        print(
            f"already sent before: {queued.left_out} subscribers who have it were left out "
            "(--resend-all sends it to everyone)"
        )
    return 0


async def _export(settings: Settings, broadcast: str, target: str) -> int:
    """``export BROADCAST --csv [FILE]``: the broadcast's per-recipient record as CSV (UTF-8 with a BOM,
    bot/reports/csv_export.py) written atomically to FILE, or to stdout alone when FILE is absent or
    ``-``. Anything else is on stderr; a bad or unknown broadcast is one line there, exit code 1, and
    no file."""
    from bot.reports import csv_export
    from data import admin_actions
    from data.store import Store

    number = broadcast.strip().lstrip("#")
    if not number.isdigit() or len(number) > 12:
        print(f"error: {broadcast!r} is not a broadcast number (see /broadcasts); nothing exported", file=sys.stderr)
        return 1
    broadcast_id = int(number)
    if not settings.database_path.is_file():
        print(f"error: there is no database at {settings.database_path}; nothing exported", file=sys.stderr)
        return 1
    say_sources(settings)
    async with await Store.open(settings.database_path) as store:
        try:
            if target == "-":
                out = sys.stdout.buffer
                async for chunk in csv_export.chunks(store, broadcast_id, settings.zone, settings.timezone):
                    out.write(chunk)
                out.flush()
                where = "stdout"
            else:
                path = Path(target)
                size = await csv_export.export_to_path(store, broadcast_id, settings.zone, settings.timezone, path)
                where = f"{path} ({size:,} bytes)"
        except csv_export.NoSuchBroadcast:
            print(f"error: there is no broadcast #{broadcast_id} in {store.path}; nothing exported", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"error: cannot write {target}: {exc.strerror or exc}; nothing exported", file=sys.stderr)
            return 1
        await admin_actions.record(
            store, admin_actions.EXPORT, admin_user_id=None, broadcast_id=broadcast_id, detail=target
        )
    print(f"exported broadcast #{broadcast_id} to {where}", file=sys.stderr)
    return 0


def cmd_backup(settings: Settings, target: str) -> int:
    """``backup FILE``: an online copy of the database (data/backup.py), safe beside a running bot; one
    line on stdout, or one on stderr, exit code 1 and no file."""
    from data import backup

    try:
        info = backup.backup(settings.database_path, Path(target))
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {settings.database_path} to {info.path}: {info.summary()}")
    return 0


def cmd_restore(settings: Settings, source: str) -> int:
    """``restore FILE``: refused while a bot runs on the database (its instance lock) and for a file
    that is not a sound backup of this bot; otherwise the current database is kept aside, the backup
    put in its place and migrated to the current schema."""
    from data import backup
    from data.store import Store

    database = settings.database_path
    try:
        with hold(database):
            restored = backup.restore(database, Path(source))

            async def migrate() -> int:
                async with await Store.open(database) as store:
                    return await store.user_version()

            version = asyncio.run(migrate())
    except InstanceLocked as exc:
        print(f"error: not restoring, the database is in use: {exc}", file=sys.stderr)
        return 1
    except backup.BackupError as exc:
        print(f"error: not restored, the database is untouched: {exc}", file=sys.stderr)
        return 1
    info = restored.info
    migrated = f" (migrated from {info.schema_version})" if version != info.schema_version else ""
    kept = f"; the previous database is kept as {restored.kept_aside}" if restored.kept_aside else ""
    counts = ", ".join(f"{info.counts[name]} {name}" for name in backup.COUNTED)
    print(f"restored {restored.source} to {database}: schema version {version}{migrated}, {counts}{kept}")
    return 0


async def _forget(settings: Settings, raw_chat: str, yes: bool) -> int:
    """``forget CHAT_ID [--yes]``: what ``/forget`` does, for an admin at the terminal
    (data/privacy.py). Asks first unless --yes; without a terminal and without --yes it refuses.
    An unknown chat is one line on stderr and exit code 1."""
    from bot.texts import privacy as privacy_texts
    from data import privacy
    from data.store import Store

    text = raw_chat.strip()
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 16:
        print(
            f"error: {raw_chat!r} is not a chat id (digits, a leading - for a group); nothing deleted", file=sys.stderr
        )
        return 1
    chat_id = int(text)
    if privacy.is_marker(chat_id):
        print(f"error: {chat_id} is an anonymous marker of a chat already forgotten; nothing deleted", file=sys.stderr)
        return 1
    if not settings.database_path.is_file():
        print(f"error: there is no database at {settings.database_path}; nothing deleted", file=sys.stderr)
        return 1
    say_sources(settings)
    async with await Store.open(settings.database_path) as store:
        if not await privacy.known(store, chat_id):
            print(f"error: nothing is stored about chat {chat_id} in {store.path}; nothing deleted", file=sys.stderr)
            return 1
        if not yes:
            if not sys.stdin.isatty():
                print("not deleting: add --yes to confirm without a terminal", file=sys.stderr)
                return 1
            prompt = f"Delete everything stored about chat {chat_id}? [y/N] "
            answer = await asyncio.get_running_loop().run_in_executor(None, input, prompt)
            if answer.strip().lower() not in {"y", "yes", "c", "có"}:
                print("cancelled; nothing deleted")
                return 1
        done = await privacy.forget(store, chat_id)
    print(privacy_texts.forgotten_plain(chat_id, done))
    return 0


def _webhook_config(settings: Settings) -> WebhookConfig | None:
    """Webhook mode when ``WEBHOOK_URL`` is set; refused (exit 2) without ``WEBHOOK_SECRET``."""
    if settings.webhook_url is None:
        return None
    if settings.webhook_secret is None:
        raise ConfigError(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is not: webhook mode needs a secret token "
            "(1-256 characters of A-Z a-z 0-9 _ -, e.g. from `openssl rand -hex 32`) so that only "
            "Telegram's posts are accepted"
        )
    return WebhookConfig(
        url=settings.webhook_url,
        secret=settings.webhook_secret.get_secret_value(),
        listen=settings.webhook_listen,
        port=settings.webhook_port,
    )


def cmd_run(settings: Settings) -> int:
    from bot import logging_setup
    from bot.ptb.app import build_application
    from bot.ptb.runner import Halted, serve_until_signalled
    from bot.ptb.webhook import WebhookListenError

    if settings.bot_token is None:
        raise ConfigError("BOT_TOKEN is not set: get one from @BotFather and put it in .env (see README)")
    lost = lost_database(settings.database_path)
    if lost is not None:  # before Telegram is asked anything; Store.open refuses too
        raise StoreError(lost)
    from telegram.error import InvalidToken, NetworkError

    token = settings.bot_token.get_secret_value()
    webhook = _webhook_config(settings)
    secrets = (token,) if webhook is None else (token, webhook.secret)
    logging_setup.configure(settings.log_level, secrets=secrets, fmt=settings.log_format)
    redact = logging_setup.RedactingFilter(secrets).redact
    if webhook is None:
        print("Running live: long polling Telegram (Ctrl+C to stop).", flush=True)
    else:
        print(
            f"Running live: webhook {webhook.url}, listening on {webhook.listen}:{webhook.port} (Ctrl+C to stop).",
            flush=True,
        )
        for warning in url_warnings(webhook.url):
            logging.getLogger("bot.webhook").warning("%s", warning)
    if settings.log_format == "json":  # every line of stderr one JSON object, this one too
        logging.getLogger("bot.cli").info(
            "%s", settings.describe_sources(), extra={"database": str(settings.database_path)}
        )
    else:
        say_sources(settings)
    try:
        eventloop.run(serve_until_signalled(build_application(settings), webhook))
    except WebhookListenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Halted as exc:  # logged and told to the admins already; exit 1 so that a supervisor restarts
        print(f"error: stopped: {exc}", file=sys.stderr)
        return 1
    except InvalidToken as exc:
        # PTB's message quotes the token; say what happened without it.
        raise ConfigError(redact(_rejected(settings, token, exc))) from None
    except NetworkError as exc:
        print(
            f"error: cannot reach the Telegram Bot API at {redact(settings.telegram_api_url)}: {redact(str(exc))}",
            file=sys.stderr,
        )
        return 1
    return 0


def _rejected(settings: Settings, token: str, exc: InvalidToken) -> str:
    """What an InvalidToken at start-up means. PTB raises it for HTTP 401 and 404 alike
    (``telegram.request.BaseRequest``); Telegram answers 401 to a well-formed token it does not know
    and 404 to a path with no method behind it (https://core.telegram.org/bots/api#making-requests),
    which is what a wrong TELEGRAM_API_URL gets."""
    answer = str(exc.__cause__ or exc)  # Bot.initialize re-raises the server's answer with the token in it
    if "not found" not in answer.lower():
        return "Telegram rejected BOT_TOKEN: check it with @BotFather"
    if not looks_like_token(token):
        return "BOT_TOKEN does not look like a token from @BotFather (digits, a colon, then letters)"
    return (
        f"TELEGRAM_API_URL looks wrong: {settings.telegram_api_url} answered 404 Not Found to getMe; "
        f"it should be the Bot API address the token is appended to, such as {TELEGRAM_API_URL}"
    )


def cmd_doctor() -> int:
    """``doctor``: one line per check (bot/services/doctor.py), then a verdict; exit code 1 when any
    check is ✗. Every line goes through the log's token redaction; the database is only read."""
    from bot import logging_setup
    from bot.services import doctor

    try:
        settings = load_settings()
    except ConfigError as exc:
        checks = [doctor.Check("settings", doctor.Level.FAIL, str(exc))]
        redact = logging_setup.RedactingFilter(()).redact
    else:
        secrets = tuple(
            s.get_secret_value()
            for s in (settings.bot_token, getattr(settings, "webhook_secret", None))
            if s is not None
        )
        logging_setup.configure("WARNING", secrets=secrets)
        redact = logging_setup.RedactingFilter(secrets).redact
        checks = asyncio.run(_doctor_checks(settings, redact))
    for check in checks:
        print(redact(check.line()), flush=True)
    line, code = doctor.verdict(checks)
    print(line)
    return code


async def _doctor_checks(settings: Settings, redact: Callable[[str], str]) -> list[Check]:
    from bot.ptb.doctor_api import PtbBotApi
    from bot.services import doctor
    from data.instance_lock import probe

    checks = doctor.settings_checks(settings.describe_sources(), len(settings.admin_ids))
    webhook_url = getattr(settings, "webhook_url", None)  # the webhook mode's setting (issue 13.1)
    webhook = str(webhook_url) if webhook_url else None
    if settings.bot_token is None:
        checks += await doctor.telegram_checks(None, webhook_url=webhook, zone=settings.zone)
    else:
        token = settings.bot_token.get_secret_value()
        api = PtbBotApi(
            token,
            base_url=settings.telegram_api_url,
            redact=redact,
            rejected=lambda exc: _rejected(settings, token, exc),
        )
        async with api:
            checks += await doctor.telegram_checks(api, webhook_url=webhook, zone=settings.zone)
    running = probe(settings.database_path)
    checks.append(doctor.instance_check(running))
    checks += await asyncio.to_thread(
        doctor.database_checks,
        settings.database_path,
        now=dt.datetime.now(dt.UTC),
        running=running.running,
        zone=settings.zone,
    )
    return checks


def cmd_console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.offline.console import run_console

    webhook = bool(getattr(args, "webhook", False))
    return eventloop.run(run_console(settings, database=args.database, keep=args.keep, webhook=webhook))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="live long polling (needs BOT_TOKEN)")
    console = sub.add_parser("console", help="chat with the bot offline, through the local Telegram imitation")
    console.add_argument("--database", help="use this database instead of a fresh temporary one")
    console.add_argument("--keep", action="store_true", help="keep the temporary database and print its path")
    console.add_argument(
        "--webhook", action="store_true", help="webhook mode: the imitation POSTs the updates to the bot"
    )
    parse = sub.add_parser("parse", help="show how a bulletin (a file of any accepted format, or a URL) splits")
    parse.add_argument("file", help="a .txt/.html/.docx/.pdf file, or an http(s) URL")
    parse.add_argument("--json", action="store_true", help="machine-readable output")
    imp = sub.add_parser("import", help="add bulletins to the archive without sending them")
    imp.add_argument("files", nargs="+", help=".txt/.html/.docx/.pdf files or http(s) URLs")
    pub = sub.add_parser(
        "publish",
        help="add a bulletin and queue it for every active subscriber who does not have it yet",
        description="Add a bulletin to the archive and queue it for every active subscriber; a running bot "
        "delivers it. A bulletin already broadcast (the same month and task texts) goes only to those who have "
        "not got it (nor have it queued), unless --resend-all.",
    )
    pub.add_argument("file", help="a .txt/.html/.docx/.pdf file, or an http(s) URL")
    pub.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    pub.add_argument(
        "--resend-all",
        action="store_true",
        help="send it to every active subscriber, including those who already got it",
    )
    pub.add_argument(
        "--at",
        metavar="TIME",
        help="send it at TIME instead of now: ISO 8601 with an offset (2026-12-02T07:30:00+07:00) or "
        "'YYYY-MM-DD HH:MM' in TIMEZONE; a running bot starts it then, or as soon as it is up again",
    )
    pub.add_argument(
        "--role",
        action="append",
        choices=("bcv", "ttv", "other"),
        default=[],
        help="only subscribers of this role (bcv: báo cáo viên, ttv: tuyên truyền viên, other); repeatable",
    )
    pub.add_argument(
        "--unit",
        action="append",
        default=[],
        metavar="NAME",
        help="only subscribers of this unit (its name, with or without diacritics); repeatable",
    )
    export = sub.add_parser(
        "export",
        help="write a broadcast's per-recipient record as CSV (UTF-8 with BOM, for Excel)",
        description="Write the record of every recipient of a broadcast (chat, name, role, unit, status, sent at, "
        "acknowledged at, error) as CSV in UTF-8 with a BOM, times in TIMEZONE. With FILE it is written "
        "atomically (complete or not at all); without FILE (or with -) only the CSV goes to stdout.",
    )
    export.add_argument("broadcast", metavar="BROADCAST", help="the broadcast's number, as in /broadcasts and /stats")
    export.add_argument(
        "--csv", nargs="?", const="-", required=True, metavar="FILE", help="the file to write (default: stdout)"
    )
    backup = sub.add_parser(
        "backup",
        help="copy the database to FILE, safely while the bot runs (SQLite's online backup)",
        description="Copy DATABASE_PATH to FILE with SQLite's online backup API, consistent even while a bot "
        "runs and delivers; the copy is checked (integrity_check) and appears at FILE only when whole.",
    )
    backup.add_argument("file", metavar="FILE", help="the backup file to write")
    restore = sub.add_parser(
        "restore",
        help="replace the database with a backup (the bot must be stopped)",
        description="Check FILE (an SQLite database of this bot, sound, not newer than this bot), keep the "
        "current database as DATABASE_PATH.before-restore-<UTC time>, put FILE in its place and migrate it. "
        "Refused while a bot runs on DATABASE_PATH.",
    )
    restore.add_argument("file", metavar="FILE", help="a file written by backup")
    forget = sub.add_parser(
        "forget",
        help="delete what is stored about a chat, as its /forget would (asks first)",
        description="Delete a chat's subscription and profile, anonymise its delivery and acknowledgement "
        "history (the counts in reports stay), cancel what is still pending for it, and delete its drafts, "
        "in one transaction. Asks for confirmation unless --yes; without a terminal, --yes is required.",
    )
    forget.add_argument("chat_id", metavar="CHAT_ID", help="the chat's id (negative for a group)")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sub.add_parser(
        "doctor",
        help="check the settings, the token, the webhook, the database and the outbox; print a verdict",
        description="One line per check (✓ fine, ⚠ worth knowing, ✗ to fix) and a verdict; exit code 1 when "
        "any check is ✗. Reads the database read-only and never creates it; never prints the token.",
    )
    return parser


def _instance_lock(args: argparse.Namespace, settings: Settings) -> contextlib.AbstractContextManager[None]:
    """The one place start-up takes the database's instance lock (``data.instance_lock``): the commands
    that poll and deliver hold it for their lifetime; ``import``/``publish`` only write to the store and
    rely on SQLite's locking, and the console's fresh temporary database needs none."""
    if args.command == "run" or (args.command is None and settings.bot_token is not None):
        return hold(settings.database_path)
    if args.command == "console" and args.database:
        return hold(args.database)
    return contextlib.nullcontext()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "parse":
            return cmd_parse(args)
        if args.command == "doctor":
            return cmd_doctor()  # loads the settings itself: a bad one is a ✗ line, not an exit
        settings = load_settings()
        with _instance_lock(args, settings):
            return _dispatch(args, settings)
    except (ConfigError, StoreError, InstanceLocked) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "import":
        return asyncio.run(_import(settings, args.files))
    if args.command == "publish":
        return asyncio.run(_publish(settings, args.file, args.yes, args.resend_all, args.at, args.role, args.unit))
    if args.command == "console":
        return cmd_console(settings, args)
    if args.command == "export":
        return asyncio.run(_export(settings, args.broadcast, args.csv))
    if args.command == "forget":
        return asyncio.run(_forget(settings, args.chat_id, args.yes))
    if args.command == "backup":
        return cmd_backup(settings, args.file)
    if args.command == "restore":
        return cmd_restore(settings, args.file)
    # No sub-command: live when there is a token, the offline console otherwise.
    if settings.bot_token is not None:
        return cmd_run(settings)
    print(
        "No BOT_TOKEN set: starting the offline console on the built-in local Telegram imitation.",
        flush=True,
    )
    args.database, args.keep = None, False
    return cmd_console(settings, args)
