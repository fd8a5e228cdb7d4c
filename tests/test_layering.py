"""Domain logic and the store stay free of Telegram types (STYLE.md §2)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The only modules of bot/ that may talk PTB: the adapters and the wiring.
ADAPTERS = {"app.py", "cli.py", "context.py", "telegram_io.py", "aiohttp_request.py", "runner.py", "console.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_and_store_do_not_import_telegram() -> None:
    checked = [p for p in (ROOT / "data").rglob("*.py")]
    checked += [p for p in (ROOT / "bot").rglob("*.py") if p.name not in ADAPTERS and "localtg" not in p.parts]
    offenders = [
        str(p.relative_to(ROOT))
        for p in checked
        if any(m == "telegram" or m.startswith("telegram.") or m == "handlers" for m in imported_modules(p))
    ]
    assert len(checked) > 20
    assert offenders == []
