"""Test databases: a SQLite file always, PostgreSQL when MOSOVO_TEST_POSTGRES_URL is set (CI sets
it). Each PostgreSQL user gets a fresh schema of its own, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import make_engine

PG_ENV = "MOSOVO_TEST_POSTGRES_URL"
NO_PG = f"PostgreSQL-only behaviour: set {PG_ENV} (CI does) to run it"


def postgres_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@contextmanager
def fresh_postgres_schema(base_url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema; dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base_url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
