"""The deployment recipes in deploy/ are linted here, since this machine builds no image and runs no
service. The rules, each checked by a test below:

Dockerfile (deploy/Dockerfile, built with the repository root as context), hadolint-style:
  D1 one ``FROM``, an official ``python`` image with an explicit tag (never ``latest``, never bare):
     the minor version pyproject's ``requires-python`` starts at, a ``slim`` variant, a Debian release.
  D2 a ``USER`` that is neither root nor uid 0, and the last ``USER`` before ``CMD`` is that one.
  D3 every ``pip install`` has ``--no-cache-dir``; no ``sudo``; no ``ADD`` (``COPY`` says what it does).
  D4 one ``HEALTHCHECK`` in exec form, and it works: it passes on a database the bot migrated, fails on
     a missing one (without creating it) and on one never migrated.
  D5 ``CMD`` in exec form is exactly ``python -m bot run`` and no ``ENTRYPOINT`` changes it;
     ``STOPSIGNAL SIGTERM``.
  D6 ``DATABASE_PATH`` is set to a file inside a ``VOLUME``, and that folder is created and given to
     the user before ``USER``.
  D7 what ``COPY`` takes is in the build context (.dockerignore at the root) and every packaged file
     of bot/, handlers/, data/ gets in, while .env, databases, .venv and caches stay out.
compose (deploy/compose.yaml), parsed as YAML (PyYAML when installed, else the strict subset parser
below; when both are there they must agree):
  C1 the bot is built from deploy/Dockerfile with the repository root as context, and does not
     override the image's command or entry point.
  C2 ``env_file: .env``, ``restart: unless-stopped``, its ``DATABASE_PATH`` equal to the image's and on
     a named volume declared at the top level.
  C3 a reverse proxy (Caddy) with a pinned image whose Caddyfile exists and proxies to
     ``bot:<WEBHOOK_PORT>``, the port the bot is told to listen on and exposes; the site's domain
     comes from the environment; the bot publishes no port of its own.
  C4 no secret in the file: BOT_TOKEN and WEBHOOK_SECRET come from .env only.
systemd (deploy/bulletin-bot.service), read as INI with repeated keys kept:
  S1 every line is a comment, a ``[Section]`` or ``Key=Value`` inside a section.
  S2 present: Description, ExecStart, User (not root), WorkingDirectory, EnvironmentFile (absolute),
     ``Restart=on-failure``, ``TimeoutStopSec=10``, ``KillSignal=SIGTERM``, ``ProtectSystem=strict``,
     ``ProtectHome=yes``, ``PrivateTmp=yes``, ``NoNewPrivileges=yes``, WantedBy.
  S3 ``ExecStart`` is a virtualenv's python (absolute path) followed by exactly ``-m bot run``.
  S4 ``DATABASE_PATH`` is absolute and inside a ``ReadWritePaths=`` entry (nothing else is writable).
  S5 ``systemd-analyze verify`` reports nothing, with ExecStart pointed at this machine's python (the
     unit's /opt path does not exist here); skipped when systemd-analyze is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cli import build_parser
from data.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
UNIT = DEPLOY / "bulletin-bot.service"
ENTRY = ["python", "-m", "bot", "run"]


# ----------------------------------------------------------------------------------------- Dockerfile


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form CMD/ENTRYPOINT/HEALTHCHECK CMD, or None for the shell form."""
        text = self.args
        if self.keyword == "HEALTHCHECK":
            text = re.sub(r"^(--\S+\s+)*", "", text)
            if not text.startswith("CMD "):
                return None
            text = text[4:].strip()
        if not text.startswith("["):
            return None
        value = json.loads(text)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), self
        return value


def dockerfile(path: Path = DOCKERFILE) -> list[Instruction]:
    """Instructions with their continuation lines joined and comment lines dropped (as Docker does)."""
    out: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = pending + line
        pending = ""
        keyword, _, args = text.partition(" ")
        out.append(Instruction(keyword.upper(), " ".join(args.split()), start))
    assert not pending, "the file ends inside a continued instruction"
    return out


def only(instructions: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in instructions if i.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword}, found {len(found)}"
    return found[0]


def env_of(instructions: list[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for i in instructions:
        if i.keyword == "ENV":
            for pair in shlex.split(i.args):
                key, sep, value = pair.partition("=")
                assert sep, f"line {i.line}: use ENV KEY=value"
                values[key] = value
    return values


def requires_python_minor() -> str:
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    match = re.fullmatch(r">=\s*(\d+\.\d+)", spec)
    assert match, spec
    return match.group(1)


def test_d1_base_image_is_a_pinned_slim_python_of_the_supported_version() -> None:
    base = only(dockerfile(), "FROM").args.split()[0]
    image, sep, tag = base.partition("@")[0].partition(":")
    assert image in {"python", "docker.io/library/python"} and sep, f"{base}: name a tag"
    assert tag != "latest"
    assert re.fullmatch(rf"{re.escape(requires_python_minor())}(\.\d+)?-slim-(bookworm|trixie)", tag), tag


def test_d2_runs_as_a_user_that_is_not_root() -> None:
    instructions = dockerfile()
    cmd = only(instructions, "CMD")
    users = [i for i in instructions if i.keyword == "USER" and i.line < cmd.line]
    assert users, "no USER before CMD: the bot would run as root"
    name = users[-1].args.split(":")[0]
    assert name not in {"root", "0"}
    assert any(i.keyword == "RUN" and "useradd" in i.args and name in i.args for i in instructions)


def test_d3_pip_keeps_no_cache_and_nothing_escalates() -> None:
    instructions = dockerfile()
    runs = [i for i in instructions if i.keyword == "RUN"]
    pips = [i for i in runs if re.search(r"\bpip3? install\b", i.args)]
    assert pips, "the package is installed with pip"
    for i in pips:
        assert "--no-cache-dir" in i.args, f"line {i.line}"
    assert not any("sudo " in i.args for i in runs)
    assert not any(i.keyword == "ADD" for i in instructions)


def healthcheck_command() -> list[str]:
    check = only(dockerfile(), "HEALTHCHECK")
    command = check.exec_form()
    assert command is not None, "HEALTHCHECK CMD in exec form"
    assert re.search(r"--interval=\d+s", check.args) and re.search(r"--timeout=\d+s", check.args)
    assert command[0] == "python"
    return [sys.executable, *command[1:]]


def run_healthcheck(db: Path) -> int:
    env = {**os.environ, "DATABASE_PATH": str(db)}
    return subprocess.run(healthcheck_command(), env=env, capture_output=True, timeout=60).returncode


async def test_d4_healthcheck_passes_on_the_bots_database_only(tmp_path: Path) -> None:
    missing = tmp_path / "gone.db"
    assert run_healthcheck(missing) != 0
    assert not missing.exists(), "the check must never create an empty database"

    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).close()
    assert run_healthcheck(blank) != 0  # not migrated: not the bot's database (yet)

    db = tmp_path / "bulletin.db"
    async with await Store.open(db):  # migrated as the bot does on start, and still open (WAL)
        assert run_healthcheck(db) == 0
    assert run_healthcheck(db) == 0


def test_d5_the_entry_command_is_python_m_bot_run_and_stops_on_sigterm() -> None:
    instructions = dockerfile()
    assert only(instructions, "CMD").exec_form() == ENTRY
    assert not any(i.keyword == "ENTRYPOINT" for i in instructions)
    assert only(instructions, "STOPSIGNAL").args == "SIGTERM"
    # ... and that command exists.
    assert (ROOT / "bot" / "__main__.py").is_file()
    assert build_parser().parse_args(ENTRY[3:]).command == "run"


def test_d6_the_database_is_on_a_volume_owned_by_the_user() -> None:
    instructions = dockerfile()
    database = Path(env_of(instructions)["DATABASE_PATH"])
    volume = only(instructions, "VOLUME")
    mounts = json.loads(volume.args) if volume.args.startswith("[") else volume.args.split()
    assert str(database.parent) in mounts
    user = [i for i in instructions if i.keyword == "USER"][-1]
    assert any(
        i.keyword == "RUN" and i.line < user.line and re.search(rf"chown \S+ ([^&]* )?{database.parent}\b", i.args)
        for i in instructions
    ), f"{database.parent} is created and given to the user before USER"


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parent folders decides;
    ``!`` re-includes. ``**`` is any number of folders, ``*`` and ``?`` stay within one."""
    excluded = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        if any(re.fullmatch(regex, p) for p in prefixes):
            excluded = not negate
    return excluded


def test_d7_the_build_context_holds_the_package_and_no_secret() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    def out(path: str) -> bool:
        return dockerignore_excludes(patterns, path)

    for secret in [
        ".env",
        "deploy/.env",
        "bot/.env",
        ".venv/bin/python",
        "var/bulletin.db",
        "bot/x.db-wal",
        "bulletin.db.lock",
    ]:
        assert out(secret), secret
    for junk in ["bot/__pycache__/cli.cpython-311.pyc", "tests/conftest.py", ".git/config", "benchmarks/x.py"]:
        assert out(junk), junk

    copies = [i for i in dockerfile() if i.keyword == "COPY"]
    for copy in copies:
        for source in copy.args.split()[:-1]:
            assert (ROOT / source).exists(), f"line {copy.line}: {source} is not in the repository"
            assert not out(source), f"line {copy.line}: .dockerignore leaves {source} out"
    copied = {s.rstrip("/") for c in copies for s in c.args.split()[:-1]}
    tracked = subprocess.run(
        ["git", "ls-files", "bot", "handlers", "data"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked
    for path in tracked:
        assert path.split("/")[0] in copied and not out(path), f"{path} would be missing from the image"


# ----------------------------------------------------------------------------------------- compose


class YamlSubsetError(ValueError):
    pass


def parse_yaml_subset(text: str) -> Any:
    """Block mappings and sequences of plain or quoted scalars, indented with spaces: what compose.yaml
    is allowed to use. Anything else (tabs, flow collections, anchors, block scalars, duplicate keys)
    is an error, so a file this accepts means the same to any YAML parser."""
    lines: list[tuple[int, str, int]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw:
            raise YamlSubsetError(f"line {number}: tab")
        body = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if body.strip():
            lines.append((len(body) - len(body.lstrip(" ")), body.strip(), number))

    def scalar(token: str, number: int) -> str:
        if token[:1] in "{[&*|>!%@`":
            raise YamlSubsetError(f"line {number}: {token!r} is outside the subset")
        if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
            return token[1:-1]
        if token[:1] in "\"'":
            raise YamlSubsetError(f"line {number}: unterminated quote")
        return token

    def block(index: int, indent: int) -> tuple[Any, int]:
        first = lines[index][1]
        if first.startswith("- ") or first == "-":
            items: list[Any] = []
            while index < len(lines) and lines[index][0] == indent and lines[index][1].startswith("-"):
                _, body, number = lines[index]
                rest = body[1:].strip()
                if not rest:
                    raise YamlSubsetError(f"line {number}: nested block in a sequence")
                if re.match(r"[^\"'\s][^:]*:(\s|$)", rest):
                    raise YamlSubsetError(f"line {number}: mapping in a sequence")
                items.append(scalar(rest, number))
                index += 1
            return items, index
        mapping: dict[str, Any] = {}
        while index < len(lines) and lines[index][0] == indent:
            _, body, number = lines[index]
            match = re.fullmatch(r"([A-Za-z0-9_.-]+):(?:\s+(.*))?", body)
            if not match:
                raise YamlSubsetError(f"line {number}: expected 'key: value', got {body!r}")
            key, value = match.group(1), match.group(2)
            if key in mapping:
                raise YamlSubsetError(f"line {number}: duplicate key {key}")
            index += 1
            if value is not None:
                mapping[key] = scalar(value, number)
            elif index < len(lines) and lines[index][0] > indent:
                mapping[key], index = block(index, lines[index][0])
            elif index < len(lines) and lines[index][0] == indent and lines[index][1].startswith("- "):
                mapping[key], index = block(index, indent)  # a sequence may sit at its key's indent
            else:
                mapping[key] = None
        if index < len(lines) and lines[index][0] > indent:
            raise YamlSubsetError(f"line {lines[index][2]}: unexpected indent")
        return mapping, index

    if not lines:
        return None
    value, end = block(0, lines[0][0])
    if end != len(lines):
        raise YamlSubsetError(f"line {lines[end][2]}: dedent below the top level")
    return value


def stringify(value: Any) -> Any:
    """PyYAML types ``8443`` and ``true``; the subset keeps strings. Compare as strings."""
    if isinstance(value, dict):
        return {str(k): stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify(v) for v in value]
    return None if value is None else str(value)


def compose() -> dict[str, Any]:
    text = COMPOSE.read_text(encoding="utf-8")
    parsed = parse_yaml_subset(text)
    try:
        import yaml
    except ImportError:  # not a dependency; the subset parser is the check then
        pass
    else:
        assert stringify(yaml.safe_load(text)) == parsed
    assert isinstance(parsed, dict)
    return parsed


def test_the_subset_parser_refuses_what_it_does_not_understand() -> None:
    assert parse_yaml_subset("a:\n  b: 'x'\n  c:\n    - 1\n    - \"y z\"\nd:\n") == {
        "a": {"b": "x", "c": ["1", "y z"]},
        "d": None,
    }
    for bad in ["a: {b: 1}", "a:\n\tb: 1", "a: &x 1", "a: |\n  text", "a: 1\na: 2", "a:\n  - b: 1", "a: 'open"]:
        with pytest.raises(YamlSubsetError):
            parse_yaml_subset(bad)


def test_c1_the_bot_is_built_from_the_dockerfile_and_keeps_its_command() -> None:
    bot = compose()["services"]["bot"]
    assert (DEPLOY / bot["build"]["context"]).resolve() == ROOT
    assert (ROOT / bot["build"]["dockerfile"]).resolve() == DOCKERFILE
    assert "command" not in bot and "entrypoint" not in bot


def test_c2_env_file_restart_and_the_database_on_a_named_volume() -> None:
    data = compose()
    bot = data["services"]["bot"]
    assert bot["env_file"] == ".env"
    assert bot["restart"] == "unless-stopped"
    database = bot["environment"]["DATABASE_PATH"]
    assert database == env_of(dockerfile())["DATABASE_PATH"]
    mounts = dict(v.split(":")[:2][::-1] for v in bot["volumes"])  # container path -> volume
    volume = mounts[str(Path(database).parent)]
    assert volume in data["volumes"], f"{volume} is a named volume declared at the top level"


def test_c3_caddy_proxies_the_webhook_port_to_the_bot() -> None:
    data = compose()
    bot, caddy = data["services"]["bot"], data["services"]["caddy"]
    image, _, tag = caddy["image"].partition(":")
    assert image == "caddy" and re.fullmatch(r"\d+\.\d+\.\d+(-alpine)?", tag), caddy["image"]
    port = bot["environment"]["WEBHOOK_PORT"]
    assert bot["expose"] == [port] and "ports" not in bot
    mounted = {v.split(":")[1]: v.split(":")[0] for v in caddy["volumes"]}
    caddyfile = (DEPLOY / mounted["/etc/caddy/Caddyfile"]).read_text(encoding="utf-8")
    assert re.search(rf"^\s*reverse_proxy bot:{port}\s*$", caddyfile, re.M)
    site = re.search(r"^\{\$(\w+)\}\s*\{", caddyfile, re.M)
    assert site and site.group(1) in caddy["environment"]


def test_c4_no_secret_in_the_compose_file() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(BOT_TOKEN|WEBHOOK_SECRET)\s*[:=]", text, re.M)
    assert not re.search(r"\d{6,}:[A-Za-z0-9_-]{20,}", text)


# ----------------------------------------------------------------------------------------- systemd


def unit(path: Path = UNIT) -> dict[str, dict[str, list[str]]]:
    """Sections → key → every value (systemd allows repeated keys: Environment=, SystemCallFilter=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None and re.fullmatch(r"[A-Za-z]+", key), f"line {number}: {raw!r}"
        current.setdefault(key, []).append(value)
    return sections


def one(section: dict[str, list[str]], key: str) -> str:
    values = section.get(key, [])
    assert len(values) == 1, f"{key}= given {len(values)} times"
    return values[0]


def test_s1_s2_the_unit_has_what_a_service_needs() -> None:
    sections = unit()
    assert set(sections) == {"Unit", "Service", "Install"}
    service = sections["Service"]
    assert one(sections["Unit"], "Description")
    assert one(sections["Install"], "WantedBy") == "multi-user.target"
    assert one(service, "User") not in {"root", "0"}
    assert Path(one(service, "WorkingDirectory")).is_absolute()
    assert Path(one(service, "EnvironmentFile").lstrip("-")).is_absolute()
    expected = {
        "Restart": "on-failure",
        "TimeoutStopSec": "10",
        "KillSignal": "SIGTERM",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "NoNewPrivileges": "yes",
    }
    assert {key: one(service, key) for key in expected} == expected


def test_s3_exec_start_is_the_venvs_python_m_bot_run() -> None:
    service = unit()["Service"]
    words = shlex.split(one(service, "ExecStart"))
    python = Path(words[0])
    assert python.is_absolute() and python.parent.name == "bin" and python.parent.parent.name == ".venv"
    assert python.is_relative_to(one(service, "WorkingDirectory"))
    assert words[1:] == ENTRY[1:]


def test_s4_the_database_is_in_the_one_writable_folder() -> None:
    service = unit()["Service"]
    environment = dict(v.split("=", 1) for v in service["Environment"])
    database = Path(environment["DATABASE_PATH"])
    writable = [Path(p) for value in service["ReadWritePaths"] for p in value.split()]
    assert database.is_absolute()
    assert any(database.is_relative_to(p) for p in writable), f"{database} is not under {writable}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_s5_systemd_analyze_verify_reports_nothing(tmp_path: Path) -> None:
    service = unit()["Service"]
    text = UNIT.read_text(encoding="utf-8")
    python = shlex.split(one(service, "ExecStart"))[0]
    copy = tmp_path / UNIT.name
    copy.write_text(text.replace(python, str(Path(sys.executable).resolve())), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=120, check=False
    )
    report = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and str(copy) not in report and UNIT.name not in report, report
