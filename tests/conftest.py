"""Databases for every tier that needs one: a SQLite file always, PostgreSQL when
MOSOVO_TEST_POSTGRES_URL is set (CI sets it). Each PostgreSQL test gets a schema of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import NO_PG, fresh_postgres_schema, postgres_base_url
from tests.support.i18n import marked_translations


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.db"
        return
    yield from _postgres_schema_url()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_schema_url()


def _postgres_schema_url() -> Iterator[str]:
    base = postgres_base_url()
    if base is None:
        pytest.skip(NO_PG)
    with fresh_postgres_schema(base) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/test.db"


@pytest.fixture
def marked() -> Iterator[None]:
    """Translators mark what they translate and refuse uncatalogued text (tests/support/i18n.py)."""
    with marked_translations():
        yield
