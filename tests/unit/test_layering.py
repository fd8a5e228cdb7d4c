"""The folders are the layers; this test states the rule by folder, so a new module is covered at once.

- ``bot/domain``: pure logic; imports no ``telegram``, no store, no services, no I/O libraries.
- ``bot/services``, ``bot/delivery``, ``bot/ingest``, ``bot/texts``, ``data``: no ``telegram``, no adapters
  (``bot.ptb``, ``handlers``), no offline tooling.
- ``bot/offline`` (the imitation) imports nothing of the bot but what the console wires.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ADAPTERS = ("telegram", "bot.ptb", "handlers", "bot.offline")
IO_LIBRARIES = ("aiosqlite", "sqlite3", "aiohttp", "httpx", "asyncio", "data", "bot.services", "bot.delivery")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _is_under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"{folder} has no modules"
    return [
        f"{p.relative_to(ROOT)} imports {m}"
        for p in files
        for m in sorted(imported_modules(p))
        if _is_under(m, forbidden)
    ]


@pytest.mark.parametrize(
    "folder", ["bot/services", "bot/delivery", "bot/ingest", "bot/texts", "bot/watch", "bot/reports", "data"]
)
def test_core_layers_do_not_import_telegram_or_adapters(folder: str) -> None:
    assert _offenders(folder, ADAPTERS) == []


def test_domain_is_pure() -> None:
    assert _offenders("bot/domain", ADAPTERS + IO_LIBRARIES) == []


def test_handlers_do_not_reach_into_sql() -> None:
    """Handlers call services and the store's named queries; they never open SQLite themselves."""
    assert _offenders("handlers", ("aiosqlite", "sqlite3", "bot.offline")) == []


def test_the_rule_catches_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from telegram import Bot\nimport data.store\n", encoding="utf-8")
    assert imported_modules(bad) == {"telegram", "data.store"}
    assert _is_under("telegram.ext", ADAPTERS) and not _is_under("telegramish", ADAPTERS)
