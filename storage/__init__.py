"""Persistence: SQLite by default, PostgreSQL in production, one tamper-evident audit chain.

The bot needs only `Database` (engine, units of work, migrations, health check); the adapters it
hands out implement the Protocols in flows/ports.py. Nothing connects at import time.
"""

from storage.db import default_database_url, make_engine, upgrade
from storage.unit_of_work import Database, SqlUnitOfWork

__all__ = ["Database", "SqlUnitOfWork", "default_database_url", "make_engine", "upgrade"]
