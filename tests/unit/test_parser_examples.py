"""Every example in tests/data (the shared ones and one per enumeration family, fam-*): the parse result
matches its expected JSON, through the library and through ``python -m bot parse FILE --json``."""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.parser import LOW_CONFIDENCE, looks_incomplete, parse_bulletin
from bot.domain.records import Bulletin

DATA = Path(__file__).resolve().parents[1] / "data"
# tests/data/*.expected.json and, for the other formats, tests/data/documents/*.expected.json.
EXPECTED = sorted(DATA.glob("*.expected.json")) + sorted(DATA.glob("documents/*.expected.json"))
NAMES = [str(p.relative_to(DATA)).removesuffix(".expected.json") for p in EXPECTED]
TEXT_FORMATS = {".txt", ".html", ".htm"}
HAS_LOADERS = importlib.util.find_spec("bot.ingest") is not None

# How each family example must be split (the rule that found its tasks).
METHODS = {
    "fam-dash": "dash",
    "fam-plus": "dash",
    "fam-emoji-bullets": "bullet",
    "fam-keycaps": "keycaps",
    "fam-letters": "letters",
    "fam-nhiem-vu": "keyword",
    "fam-noi-dung": "keyword",
    "fam-paragraphs": "paragraphs",
    "fam-paren": "paren",
    "fam-roman-sections": "section+arabic",
    "fam-roman-tasks": "roman",
    "fam-semicolon": "semicolons",
    "fam-slash": "arabic",
    "fam-two-digit": "arabic",
    "fam-thu-nhat-colon": "thu",
    "fam-thu-nhat-la": "thu",
    "fam-number-dash": "arabic",
    "fam-facebook-keycaps": "keycaps",
    "fam-facebook-pins": "bullet",
    "fam-pdf-wraps": "paragraphs",
    "fam-attendance-end": "paragraphs",
    "fam-plain-headings": "paragraphs",
    "fam-quarter": "arabic",
    "fam-emoji-mixed": "paragraphs",
    "fam-results-then-tasks": "arabic",
    "fam-participants": "dash",
    "fam-caption-credit": "paragraphs",
    "fam-official-letter": "arabic",
    "fam-facebook-intro-bullet": "bullet",
    "fam-pdf-page-number": "arabic",
}
# Methods that say "check the split": their confidence stays below the preview's threshold.
WEAK = {"dash", "paragraphs", "semicolons", "sentences", "directives", "best-effort"}


def source(name: str) -> Path:
    found = [p for p in DATA.glob(f"{name}.*") if not p.name.endswith(".json")]
    assert len(found) == 1, found
    return found[0]


def words(s: str) -> list[str]:
    return unicodedata.normalize("NFC", s).split()


def expected(name: str) -> dict[str, object]:
    """The expected JSON with the README's word normalisation applied to its strings."""
    data = json.loads((DATA / f"{name}.expected.json").read_text("utf-8"))
    out: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, str) and key in {"title", "organizer"}:
            out[key] = " ".join(words(value))
        elif isinstance(value, list):
            out[key] = [" ".join(words(v)) for v in value]
        else:
            out[key] = value
    return out


def summary(b: Bulletin) -> dict[str, object]:
    return {
        "title": " ".join(words(b.title)),
        "month": b.month,
        "published": b.published,
        "organizer": " ".join(words(b.organizer)),
        "task_count": len(b.tasks),
        "task_starts": [" ".join(words(t.text)[:8]) for t in b.tasks],
        "task_ends": [" ".join(words(t.text)[-6:]) for t in b.tasks],
        "enumerators": [t.enumerator for t in b.tasks],
    }


def needs_loader(name: str) -> None:
    if source(name).suffix not in TEXT_FORMATS and not HAS_LOADERS:
        pytest.skip(f"{source(name).name}: no loader for this format yet")


@pytest.mark.parametrize("name", NAMES)
def test_cli_reproduces_the_expected_json(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    needs_loader(name)
    assert main(["parse", "--json", str(source(name))]) == 0
    got = json.loads(capsys.readouterr().out)
    want = expected(name)
    for key, value in want.items():
        normalised = [" ".join(words(v)) for v in got[key]] if isinstance(got[key], list) else got[key]
        if key in {"title", "organizer"}:
            normalised = " ".join(words(got[key]))
        assert normalised == value, key
    assert 0 <= got["confidence"] <= 1
    assert got["method"]
    assert isinstance(got["warnings"], list)


FAMILY_TEXTS = [n for n in NAMES if n.startswith("fam-") and source(n).suffix == ".txt"]


@pytest.mark.parametrize("name", FAMILY_TEXTS)
def test_family_example(name: str) -> None:
    bulletin = parse_bulletin(source(name).read_bytes())
    want = expected(name)
    got = summary(bulletin)
    for key in want:
        assert got[key] == want[key], key
    if name in METHODS:
        assert bulletin.method == METHODS[name]
    assert [t.number for t in bulletin.tasks] == list(range(1, len(bulletin.tasks) + 1))
    assert not looks_incomplete(bulletin)


@pytest.mark.parametrize("name", FAMILY_TEXTS)
def test_confidence_says_how_the_tasks_were_found(name: str) -> None:
    bulletin = parse_bulletin(source(name).read_bytes())
    base = bulletin.method.rsplit("+", 1)[-1]
    if base in WEAK and "+" not in bulletin.method:
        assert any("check the split" in w for w in bulletin.warnings)
        # Only a stated count that agrees ("3 nội dung") lifts bullets over the threshold.
        if bulletin.stated_count is None or base != "dash":
            assert bulletin.confidence < LOW_CONFIDENCE
    else:
        assert bulletin.confidence >= LOW_CONFIDENCE
    if bulletin.stated_count is not None:
        assert bulletin.stated_count == len(bulletin.tasks)


def test_every_family_named_in_the_issue_has_an_example() -> None:
    methods = {METHODS[n] for n in NAMES if n in METHODS}
    assert {"thu", "keyword", "roman", "arabic", "keycaps", "paren", "letters", "bullet", "dash"} <= methods
    assert {"paragraphs", "semicolons", "section+arabic"} <= methods


@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith(("fam-", "documents/"))])
def test_the_shared_examples_are_clean_numbered_runs(name: str) -> None:
    bulletin = parse_bulletin(source(name).read_bytes())
    assert bulletin.warnings == ()
    assert bulletin.confidence >= 0.9
    assert bulletin.stated_count == len(bulletin.tasks)
