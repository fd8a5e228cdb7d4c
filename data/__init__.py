"""The SQLite store: connection handling, migrations, and one repository module per table group."""

from data.store import Store, StoreError

__all__ = ["Store", "StoreError"]
