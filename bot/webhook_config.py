"""Webhook settings checked without Telegram types: the URL, the secret token and what is unusual.

Telegram posts only to https on ports 443, 80, 88 or 8443 and sends the secret token, 1–256
characters of ``A-Za-z0-9_-``, in ``X-Telegram-Bot-Api-Secret-Token``
(https://core.telegram.org/bots/api#setwebhook). Behind a reverse proxy, and in tests, the bot itself
listens on plain http on any port, so an unusual URL is only warned about, never refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_PORTS = frozenset({443, 80, 88, 8443})
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
HEALTH_PATH = "/healthz"


def check_secret(secret: str) -> str:
    """The secret itself, or ValueError naming the rule (never echoing the value)."""
    if not _SECRET.fullmatch(secret):
        raise ValueError(
            f"must be 1-256 characters of A-Z, a-z, 0-9, _ and - (got {len(secret)} characters"
            + (", some not allowed)" if secret and len(secret) <= 256 else ")")
        )
    return secret


def check_url(url: str) -> str:
    """The URL itself when it is an absolute http(s) URL with a host, else ValueError."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port out of range or not a number
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL such as https://bot.example.org/telegram")
    if parts.fragment:
        raise ValueError("must not have a #fragment")
    if port == 0:
        raise ValueError("port 0 is not a port Telegram can post to")
    if path_of(url) == HEALTH_PATH:
        raise ValueError(f"the path {HEALTH_PATH} is the health check's; choose another")
    return url


def path_of(url: str) -> str:
    """The path the webhook server serves (``/`` for a bare host), without a trailing slash."""
    path = urlsplit(url).path.rstrip("/")
    return path or "/"


def url_warnings(url: str) -> list[str]:
    """What Telegram itself would not post to; fine behind a reverse proxy or for local tests."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    warnings = []
    if scheme != "https":
        warnings.append("WEBHOOK_URL is not https: Telegram posts only to https (fine behind a proxy or locally)")
    if port not in TELEGRAM_PORTS:
        warnings.append(
            f"WEBHOOK_URL port {port} is not one Telegram posts to (443, 80, 88, 8443): fine behind a proxy or locally"
        )
    return warnings


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram posts (``url``) and where this process listens (``listen``, ``port``)."""

    url: str
    secret: str
    listen: str = "0.0.0.0"
    port: int = 8443

    def __post_init__(self) -> None:
        check_url(self.url)
        check_secret(self.secret)

    @property
    def path(self) -> str:
        return path_of(self.url)

    def __repr__(self) -> str:  # the secret hides itself, like SecretStr
        return f"WebhookConfig(url={self.url!r}, secret='**********', listen={self.listen!r}, port={self.port})"
