"""Runtime settings, read from the environment and `.env` by pydantic-settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"


class Settings(BaseSettings):
    """Everything the bot reads from its environment; see the table in README.md."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Token from @BotFather; never logged.")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), description="Telegram user ids allowed to publish, comma-separated."
    )
    database_path: Path = Field(default=Path("var/bulletin.db"), description="SQLite database file.")
    telegram_api_url: str = Field(default=TELEGRAM_API_URL, description="PTB base_url.")
    telegram_file_url: str = Field(default=TELEGRAM_FILE_URL, description="PTB base_file_url.")
    send_rate: float = Field(default=25.0, gt=0, le=1000, description="Messages per second overall.")
    paid_broadcast: bool = Field(default=False, description="Use allow_paid_broadcast (up to 1000/s).")
    paid_send_rate: float = Field(default=900.0, gt=0, le=1000, description="Overall rate when paid.")
    log_level: str = Field(default="INFO", description="Python logging level.")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @property
    def effective_send_rate(self) -> float:
        """Overall messages per second the delivery engine may use."""
        return self.paid_send_rate if self.paid_broadcast else self.send_rate

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids
