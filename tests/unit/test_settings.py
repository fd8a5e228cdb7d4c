"""Where the settings come from: which .env file, which home folder, and where the database goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import settings as settings_module
from bot.settings import (
    DEFAULT_DATABASE,
    ENV_FILE_VARIABLE,
    Settings,
    SettingsFileError,
    find_env_file,
    home_dir,
    looks_like_token,
    project_root,
)

SETTING_NAMES = ("BOT_TOKEN", "ADMIN_IDS", "DATABASE_PATH", "SEND_RATE", "LOG_LEVEL", ENV_FILE_VARIABLE)


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A working directory and a project root (a stand-in for the checkout), both without .env."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    cwd, root = tmp_path / "cwd", tmp_path / "checkout"
    cwd.mkdir()
    root.mkdir()
    monkeypatch.setattr(settings_module, "project_root", lambda: root)
    monkeypatch.chdir(cwd)
    return {"cwd": cwd, "root": root, "tmp": tmp_path}


def test_the_real_project_root_is_this_checkout() -> None:
    root = project_root()
    assert root is not None and (root / "pyproject.toml").is_file() and (root / "bot" / "settings.py").is_file()


def test_env_file_order_named_then_working_directory_then_project_root(places: dict[str, Path]) -> None:
    cwd, root = places["cwd"], places["root"]
    assert find_env_file(environ={}) is None
    (root / ".env").write_text("", encoding="utf-8")
    assert find_env_file(environ={}) == (root / ".env").resolve()
    (cwd / ".env").write_text("", encoding="utf-8")
    assert find_env_file(environ={}) == (cwd / ".env").resolve()
    named = places["tmp"] / "prod.env"
    named.write_text("", encoding="utf-8")
    assert find_env_file(environ={ENV_FILE_VARIABLE: str(named)}) == named.resolve()
    # A relative name is relative to the working directory, like any path typed in a shell.
    assert find_env_file(environ={ENV_FILE_VARIABLE: "../prod.env"}) == named.resolve()


def test_a_named_env_file_that_is_not_there_is_an_error_not_a_silent_fallback(places: dict[str, Path]) -> None:
    (places["cwd"] / ".env").write_text("", encoding="utf-8")
    with pytest.raises(SettingsFileError, match=ENV_FILE_VARIABLE):
        find_env_file(environ={ENV_FILE_VARIABLE: str(places["tmp"] / "missing.env")})


def test_home_is_the_env_files_folder_else_the_project_root_else_the_user_data_folder(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = places["tmp"] / "deploy" / ".env"
    assert home_dir(env_file) == env_file.parent
    assert home_dir(None) == places["root"]
    monkeypatch.setattr(settings_module, "project_root", lambda: None)  # an installed bot
    assert home_dir(None, {"XDG_DATA_HOME": str(places["tmp"] / "data")}) == places["tmp"] / "data" / "bulletin-bot"
    assert home_dir(None, {}) == Path("~/.local/share/bulletin-bot").expanduser().resolve()


def test_load_puts_a_relative_database_beside_the_env_file_never_in_the_working_directory(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy = places["tmp"] / "deploy"
    deploy.mkdir()
    (deploy / ".env").write_text("DATABASE_PATH=data/bot.db\nSEND_RATE=20\n", encoding="utf-8")
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(deploy / ".env"))
    loaded = Settings.load()
    assert loaded.database_path == deploy.resolve() / "data" / "bot.db"
    assert loaded.send_rate == 20
    assert loaded.env_file == (deploy / ".env").resolve()
    assert loaded.describe_sources() == (
        f"database {deploy.resolve() / 'data' / 'bot.db'} · settings from the environment and {loaded.env_file}"
    )
    # The environment wins over the file.
    monkeypatch.setenv("SEND_RATE", "10")
    assert Settings.load().send_rate == 10


def test_load_without_env_file_uses_the_default_database_in_the_project_root(places: dict[str, Path]) -> None:
    loaded = Settings.load()
    assert loaded.env_file is None
    assert loaded.database_path == places["root"] / DEFAULT_DATABASE
    assert "no .env file found" in loaded.describe_sources() and ENV_FILE_VARIABLE in loaded.describe_sources()


def test_absolute_and_home_relative_database_paths_are_kept(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    absolute = places["tmp"] / "elsewhere" / "x.db"
    monkeypatch.setenv("DATABASE_PATH", str(absolute))
    assert Settings.load().database_path == absolute
    monkeypatch.setenv("DATABASE_PATH", "~/bulletin.db")
    assert Settings.load().database_path == Path("~/bulletin.db").expanduser()


def test_direct_construction_reads_no_env_file(places: dict[str, Path]) -> None:
    (places["cwd"] / ".env").write_text("SEND_RATE=3\n", encoding="utf-8")
    assert Settings().send_rate != 3
    assert Settings.load().send_rate == 3


@pytest.mark.parametrize(
    ("token", "shaped"),
    [
        ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", True),
        ("123456:TEST-token-abcdefghijklmnopqrstuvwxyz", True),
        ("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", False),
        ("123456789:short", False),
        ("123 456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", False),
    ],
)
def test_token_shape(token: str, shaped: bool) -> None:
    assert looks_like_token(token) is shaped
