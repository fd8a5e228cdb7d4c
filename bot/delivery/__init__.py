"""Broadcast delivery: pacing at Telegram's limits, the outbox-driven engine, progress reports."""
