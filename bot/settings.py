"""Runtime settings, read from the environment and a `.env` file by pydantic-settings.

Where things are looked up never depends on the working directory alone (README, Configuration):

- the `.env` file: the file named by ``BULLETIN_ENV_FILE``; otherwise `.env` in the working
  directory; otherwise `.env` in the project root (the checkout the bot runs from). Variables set in
  the environment win over the file.
- the home folder: the folder of that `.env` file; without one, the project root; for an installed
  bot without a `.env`, ``$XDG_DATA_HOME/bulletin-bot`` (``~/.local/share/bulletin-bot``).
- a relative ``DATABASE_PATH`` (the default is `var/bulletin.db`) is inside the home folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.delivery.when import DEFAULT_ZONE, ZoneError, resolve_zone

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"
ENV_FILE_VARIABLE = "BULLETIN_ENV_FILE"
APP_NAME = "bulletin-bot"
DEFAULT_DATABASE = Path("var/bulletin.db")
# What @BotFather hands out: "<bot id>:<35 url-safe characters>" (https://core.telegram.org/bots/api#authorizing-your-bot).
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


class SettingsFileError(ValueError):
    """``BULLETIN_ENV_FILE`` names a file that is not there."""


def project_root() -> Path | None:
    """The checkout this code runs from (``pyproject.toml`` beside ``bot/``), or None once installed."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "bot").is_dir() else None


def find_env_file(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path | None:
    """The `.env` file to read (see the module docstring), or None when there is none."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    named = environ.get(ENV_FILE_VARIABLE, "").strip()
    if named:
        path = cwd / Path(named).expanduser()
        if not path.is_file():
            raise SettingsFileError(f"{ENV_FILE_VARIABLE} names {path}, which is not a file")
        return path.resolve()
    root = project_root()
    for candidate in (cwd / ".env", None if root is None else root / ".env"):
        if candidate is not None and candidate.is_file():
            return candidate.resolve()
    return None


def home_dir(env_file: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """Where a relative ``DATABASE_PATH`` lives: the `.env` file's folder, else the project root,
    else the user's data folder (XDG base directories)."""
    if env_file is not None:
        return env_file.parent
    root = project_root()
    if root is not None:
        return root
    environ = os.environ if environ is None else environ
    data_home = environ.get("XDG_DATA_HOME", "").strip() or "~/.local/share"
    return Path(data_home).expanduser().resolve() / APP_NAME


def looks_like_token(token: str) -> bool:
    return _TOKEN_SHAPE.match(token) is not None


class Settings(BaseSettings):
    """Everything the bot reads from its environment; see the table in README.md.

    ``Settings.load()`` is how the bot reads them (finding the `.env` file and the home folder);
    constructing ``Settings(...)`` directly reads the environment only.
    """

    model_config = SettingsConfigDict(env_file=None, env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Token from @BotFather; never logged.")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), description="Telegram user ids allowed to publish, comma-separated."
    )
    database_path: Path = Field(default=DEFAULT_DATABASE, description="SQLite database file.")
    database_check_seconds: float = Field(
        default=30.0,
        ge=0.1,
        le=3600,
        description="Seconds between checks that the database file is there and writable.",
    )
    telegram_api_url: str = Field(default=TELEGRAM_API_URL, description="PTB base_url.")
    telegram_file_url: str = Field(default=TELEGRAM_FILE_URL, description="PTB base_file_url.")
    send_rate: float = Field(default=25.0, gt=0, le=1000, description="Messages per second overall.")
    paid_broadcast: bool = Field(default=False, description="Use allow_paid_broadcast (up to 1000/s).")
    paid_send_rate: float = Field(default=900.0, gt=0, le=1000, description="Overall rate when paid.")
    log_level: str = Field(default="INFO", description="Python logging level.")
    log_format: str = Field(default="text", description="text (one readable line) or json (one object a line).")
    watch_sources: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Feeds (RSS 2.0, Atom) or listing pages to watch for bulletins, comma-separated."
    )
    watch_interval: float = Field(default=900.0, ge=1.0, description="Seconds between two polls of one source.")
    watch_contact: str = Field(
        default="", description="An e-mail or URL the portals can reach the bot's operator at (in the User-Agent)."
    )

    timezone: str = Field(
        default=DEFAULT_ZONE, description="IANA time zone of typed times (publish --at, Gửi lúc…) and of times shown."
    )

    backup_dir: Path | None = Field(
        default=None, description="Folder of the daily backups (bulletin-YYYYMMDD-HHMM.db); empty: none."
    )
    backup_keep: int = Field(default=7, ge=1, le=10_000, description="Daily backups kept in BACKUP_DIR.")

    # Webhook mode (https://core.telegram.org/bots/api#setwebhook): set WEBHOOK_URL to use it.
    webhook_url: str | None = Field(
        default=None, description="Public URL Telegram posts updates to; empty: long polling."
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="X-Telegram-Bot-Api-Secret-Token, 1-256 of A-Z a-z 0-9 _ -; never logged."
    )
    webhook_listen: str = Field(default="0.0.0.0", description="Address the webhook server binds.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Port the webhook server binds.")

    _env_file_used: Path | None = PrivateAttr(default=None)

    @classmethod
    def load(cls, *, cwd: Path | None = None) -> Settings:
        """Read the settings as the bot does: the environment, then the `.env` file found by
        ``find_env_file``; a relative ``DATABASE_PATH`` is made absolute inside ``home_dir``.

        Raises ``SettingsFileError``, or pydantic's ``ValidationError`` for a missing or bad value.
        """
        env_file = find_env_file(cwd=cwd)
        settings = cls(_env_file=env_file)  # type: ignore[call-arg]  # pydantic-settings' init option
        path = settings.database_path.expanduser()
        if not path.is_absolute():
            path = home_dir(env_file) / path
        update: dict[str, Path | None] = {"database_path": path}
        if settings.backup_dir is not None:
            folder = settings.backup_dir.expanduser()
            update["backup_dir"] = folder if folder.is_absolute() else home_dir(env_file) / folder
        settings = settings.model_copy(update=update)
        settings._env_file_used = env_file
        return settings

    @property
    def env_file(self) -> Path | None:
        """The `.env` file these settings were read from (None: the environment only)."""
        return self._env_file_used

    def describe_sources(self) -> str:
        """One line for start-up: which database file and which `.env` file are in use."""
        if self.env_file is None:
            source = f"the environment only (no .env file found; {ENV_FILE_VARIABLE} can name one)"
        else:
            source = f"the environment and {self.env_file}"
        return f"database {self.database_path} · settings from {source}"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("watch_sources", mode="before")
    @classmethod
    def _split_sources(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.replace(";", ",").replace("\n", ",").split(",")
        if isinstance(value, (list, tuple)):
            urls = []
            for part in value:
                url = str(part).strip()
                if not url:
                    continue
                if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
                    raise ValueError(f"not an http(s) URL: {url[:200]!r}")
                if url not in urls:
                    urls.append(url)
            return tuple(urls)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            resolve_zone(value)
        except ZoneError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @property
    def zone(self) -> dt.tzinfo:
        """``TIMEZONE`` as a tzinfo (a fixed +07:00 for Vietnam where there is no tz database)."""
        return resolve_zone(self.timezone)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        fmt = value.strip().lower()
        if fmt not in {"text", "json"}:
            raise ValueError("must be text or json")
        return fmt

    @field_validator("backup_dir", mode="before")
    @classmethod
    def _blank_dir_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        if isinstance(value, str):
            from bot.webhook_config import check_url  # no Telegram import: plain URL checks

            url = value.strip()
            return check_url(url) if url else None
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            from bot.webhook_config import check_secret

            secret = value.strip()
            return SecretStr(check_secret(secret)) if secret else None
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids
