"""Offline tooling that ships because the console needs it: the console and the local Bot API imitation."""
