"""Migrations build the schema from nothing, and match the table definitions exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, String, inspect

from bot.cli.db import cmd_db_upgrade
from storage.db import (
    check_migrations,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)
from storage.tables import metadata


def test_an_empty_database_is_upgraded_to_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"requests", "audit_events", "processed_deliveries", "outbox"} <= tables
    finally:
        engine.dispose()


def test_the_migrated_schema_has_no_drift_from_the_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        assert check_migrations(engine) == []
    finally:
        engine.dispose()


def test_the_drift_check_notices_a_column_that_no_migration_adds(db_url: str) -> None:
    engine = make_engine(db_url)
    changed = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["requests"].append_column(Column("unmigrated", String()))
    try:
        upgrade(engine)
        diffs = check_migrations(engine, changed)
        assert [d[0] for d in diffs] == ["add_column"]
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_downgrade_to_nothing_and_up_again(db_url: str) -> None:
    upgrade(db_url)
    downgrade(db_url, "base")
    engine = make_engine(db_url)
    try:
        assert not {"requests", "audit_events"} & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert check_migrations(engine) == []
    finally:
        engine.dispose()


def test_the_upgrade_command_reports_the_revision(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_db_upgrade(db_url) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
