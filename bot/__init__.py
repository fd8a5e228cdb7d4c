"""Bulletin bot: delivers the monthly reporters' conference bulletin task by task over Telegram."""

__version__ = "0.1.0"
