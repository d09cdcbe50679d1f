"""PostgreSQL least privilege: the schema owner migrates; the role the bot runs as may only read
and insert into the audit log, and cannot alter it or its triggers. The bot still does all its
work as that role. (PostgreSQL only: SQLite has no roles.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage.audit import verify_chain
from storage.db import current_revision, head_revision, make_engine
from storage.roles import SchemaNotReady, ensure_schema
from storage.unit_of_work import Database
from tests.e2e.flow import answer_all, answers_for, open_approval, start, submit, submit_approval
from tests.e2e.test_cli import mosovo
from tests.support.databases import postgres_base_url
from tests.support.running_bot import SUP1, running_bot
from tests.support.slack_double import SlackDouble


@dataclass(frozen=True)
class Roles:
    owner_url: str
    runtime_url: str
    runtime_role: str


@pytest.fixture
def roles(pg_url: str) -> Iterator[Roles]:
    """A login role of its own (roles are cluster-wide: a unique name, dropped afterwards)."""
    base = postgres_base_url()
    assert base is not None
    role = f"mosovo_rt_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    runtime_url = make_url(pg_url).set(username=role).render_as_string(hide_password=False)
    try:
        yield Roles(pg_url, runtime_url, role)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def migrate_as_owner(roles: Roles) -> None:
    """`mosovo-bot db upgrade` as an operator runs it: the owner's URL in its own setting."""
    env = {"DATABASE_URL": roles.runtime_url, "MOSOVO_MIGRATION_DATABASE_URL": roles.owner_url}
    result = mosovo("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    assert f"runtime role {roles.runtime_role}" in result.stdout


#: what someone holding the bot's credentials might try, and the refusal each must meet
ATTACKS = [
    ("UPDATE audit_events SET actor = 'U0FORGED'", "permission denied"),
    ("DELETE FROM audit_events", "permission denied"),
    ("TRUNCATE audit_events", "permission denied"),
    # even the one update the triggers allow, retention's erasure, is the owner's alone
    (
        "UPDATE audit_events SET detail = '{}', detail_salt = NULL, erased_at = now()",
        "permission denied",
    ),
    ("ALTER TABLE audit_events DISABLE TRIGGER USER", "must be owner"),
    ("DROP TRIGGER audit_events_append_only ON audit_events", "must be owner"),
    ("DROP TRIGGER audit_events_no_truncate ON audit_events", "must be owner"),
    ("ALTER TABLE audit_events ADD COLUMN note text", "must be owner"),
    ("DROP TABLE audit_events", "must be owner"),
    ("DROP FUNCTION audit_events_append_only() CASCADE", "must be owner"),
    ("DELETE FROM requests", "permission denied"),
    ("UPDATE alembic_version SET version_num = 'x'", "permission denied"),
    ("CREATE TABLE shadow_audit (id int)", "permission denied"),
]


def test_the_bot_works_as_the_runtime_role_which_cannot_alter_the_audit_log(
    roles: Roles, slack: SlackDouble
) -> None:
    migrate_as_owner(roles)
    with running_bot(slack, roles.runtime_url) as app:
        request_id, thread = start(app)
        answer_all(app, thread, answers_for("order"))
        card = submit(app, thread)
        view = open_approval(app, card, SUP1)
        assert view is not None
        assert submit_approval(app, view, SUP1).status == 200
        app.settle()
        assert app.request(request_id).state == "approved"
        app.bot.sweeper.run_once()  # reminders, the outbox, pruning deliveries: all allowed

    runtime = make_engine(roles.runtime_url, poolclass=NullPool)
    try:
        for statement, refusal in ATTACKS:
            with pytest.raises(DBAPIError, match=refusal), runtime.begin() as connection:
                connection.execute(text(statement))
        database = Database(roles.runtime_url)
        with database.read_session_factory() as session:
            result = verify_chain(session)
        database.dispose()
        assert result.ok and result.count > 10
    finally:
        runtime.dispose()


def test_start_up_as_the_runtime_role_on_an_old_schema_says_to_migrate_as_the_owner(
    roles: Roles,
) -> None:
    owner = make_engine(roles.owner_url, poolclass=NullPool)
    with owner.begin() as connection:  # the role can reach the schema, but owns nothing in it
        schema: str = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{roles.runtime_role}"'))
    owner.dispose()
    runtime = make_engine(roles.runtime_url, poolclass=NullPool)
    try:
        with pytest.raises(SchemaNotReady, match="MOSOVO_MIGRATION_DATABASE_URL"):
            ensure_schema(runtime)
        assert current_revision(runtime) is None
        # given the owner's URL, start-up migrates as the owner and grants the runtime its rights
        ensure_schema(runtime, roles.owner_url)
        assert current_revision(runtime) == head_revision()
        with runtime.begin() as connection:
            connection.execute(text("SELECT count(*) FROM audit_events"))
    finally:
        runtime.dispose()


def test_run_refuses_in_one_line_when_the_schema_is_behind_and_it_may_not_migrate(
    roles: Roles, slack: SlackDouble
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.url,
        "MOSOVO_SUPERVISORS": SUP1,
        "DATABASE_URL": roles.runtime_url,
    }
    result = mosovo("run", "--port", "0", "--no-scheduler", env=env)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert "db upgrade" in lines[-1] and "MOSOVO_MIGRATION_DATABASE_URL" in lines[-1]
