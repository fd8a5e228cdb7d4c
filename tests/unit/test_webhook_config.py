"""Webhook settings: the secret's alphabet and length, the URL's shape, and what is only warned about."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from bot.webhook_config import WebhookConfig, check_secret, check_url, path_of, url_warnings


@pytest.mark.parametrize("secret", ["a", "A-z_09", "x" * 256, "s3cret-Token_1"])
def test_secrets_telegram_accepts(secret: str) -> None:
    assert check_secret(secret) == secret


@pytest.mark.parametrize("secret", ["", "x" * 257, "has space", "dấu", "semi;colon", "slash/", "tab\t", "plus+"])
def test_secrets_telegram_refuses(secret: str) -> None:
    with pytest.raises(ValueError, match="1-256 characters of A-Z, a-z, 0-9, _ and -") as caught:
        check_secret(secret)
    if secret:
        assert secret not in str(caught.value)  # the value itself is never echoed


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.org/telegram", "/telegram"),
        ("https://bot.example.org/telegram/", "/telegram"),
        ("https://bot.example.org", "/"),
        ("http://127.0.0.1:18080/hook/abc", "/hook/abc"),
        ("https://bot.example.org:8443/a?b=1", "/a"),
    ],
)
def test_urls_and_the_path_served(url: str, path: str) -> None:
    assert check_url(url) == url and path_of(url) == path


@pytest.mark.parametrize(
    "url",
    ["bot.example.org/hook", "ftp://bot.example.org/hook", "https:///hook", "https://h:99999/x", "https://h:0/x",
     "https://h/x#frag", "https://h/healthz", "/hook"],
)  # fmt: skip
def test_urls_refused(url: str) -> None:
    with pytest.raises(ValueError):
        check_url(url)


def test_only_unusual_urls_are_warned_about() -> None:
    assert url_warnings("https://bot.example.org/hook") == []
    assert url_warnings("https://bot.example.org:8443/hook") == []
    assert url_warnings("https://bot.example.org:88/hook") == []
    [port] = url_warnings("https://bot.example.org:9000/hook")
    assert "9000" in port
    local = url_warnings("http://127.0.0.1:18080/hook")
    assert len(local) == 2 and "not https" in local[0] and "18080" in local[1]
    assert len(url_warnings("http://bot.example.org/hook")) == 1  # port 80 is one Telegram uses


def test_settings_read_and_check_the_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", " http://127.0.0.1:18080/hook ")
    monkeypatch.setenv("WEBHOOK_SECRET", "abc-DEF_123")
    monkeypatch.setenv("WEBHOOK_PORT", "18080")
    settings = Settings()
    assert settings.webhook_url == "http://127.0.0.1:18080/hook"
    assert settings.webhook_secret is not None and settings.webhook_secret.get_secret_value() == "abc-DEF_123"
    assert "abc-DEF_123" not in repr(settings)
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 18080)


def test_settings_defaults_are_long_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "WEBHOOK_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8443)
    monkeypatch.setenv("WEBHOOK_URL", "  ")
    assert Settings().webhook_url is None  # an empty line in .env means "not set"


@pytest.mark.parametrize(
    ("name", "value"),
    [("WEBHOOK_SECRET", "bad secret!"), ("WEBHOOK_SECRET", "x" * 300), ("WEBHOOK_URL", "bot.example.org"),
     ("WEBHOOK_PORT", "0"), ("WEBHOOK_PORT", "70000"), ("WEBHOOK_PORT", "https")],
)  # fmt: skip
def test_bad_webhook_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    [error] = caught.value.errors()
    assert error["loc"] == (name.lower(),)
    if name == "WEBHOOK_SECRET":
        assert value not in error["msg"]  # what `python -m bot` prints (bot/cli.py load_settings)


def test_config_repr_hides_the_secret() -> None:
    config = WebhookConfig(url="https://bot.example.org/hook", secret="very-secret-value")
    assert "very-secret-value" not in repr(config) and config.path == "/hook"
    with pytest.raises(ValueError):
        WebhookConfig(url="https://bot.example.org/hook", secret="")
