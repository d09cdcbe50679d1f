"""Least privilege on PostgreSQL: the schema owner migrates, the running bot may not rewrite
history.

Two roles:

- the **schema owner** (``MOSOVO_MIGRATION_DATABASE_URL``) owns every table, runs the migrations
  and the retention run (which erases content under the audit log's own rules);
- the **runtime role** (``DATABASE_URL``, what ``mosovo-bot run`` connects as) may only read and
  insert into the audit log, may not delete requests, and owns nothing, so it can neither alter
  a table nor drop or disable the append-only triggers.

`grant_runtime_privileges` states the runtime role's rights from scratch after every migration:
tables added later get the working rights, and nothing granted by hand survives unnoticed.
SQLite has no roles: a single-file deployment is protected by file permissions, the triggers and
signed checkpoints.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url

from storage.db import normalise_url
from storage.tables import audit_events_table, requests_table, round_approvals_table

#: the audit log: read and append, nothing else
APPEND_ONLY_TABLES = frozenset({audit_events_table.name})
#: records that are kept (closed ones are erased, never deleted): no DELETE
KEPT_TABLES = frozenset({requests_table.name, round_approvals_table.name})
#: Alembic's bookkeeping: the bot checks the revision, only the owner changes it
READ_ONLY_TABLES = frozenset({"alembic_version"})


def runtime_privileges(table: str) -> str:
    if table in APPEND_ONLY_TABLES:
        return "SELECT, INSERT"
    if table in READ_ONLY_TABLES:
        return "SELECT"
    if table in KEPT_TABLES:
        return "SELECT, INSERT, UPDATE"
    return "SELECT, INSERT, UPDATE, DELETE"


def role_of(url: str) -> str | None:
    """The user a database URL connects as (None when the driver's default is used)."""
    return make_url(normalise_url(url)).username


def grant_runtime_privileges(target: Engine | Connection, role: str) -> list[str]:
    """Give `role` exactly the runtime rights on the current schema's tables and sequences.
    Returns the statements run (for the operator to see)."""
    if isinstance(target, Engine):
        with target.begin() as connection:
            return grant_runtime_privileges(connection, role)
    connection = target
    if connection.dialect.name != "postgresql":
        return []
    preparer = connection.dialect.identifier_preparer
    schema: str = connection.execute(text("SELECT current_schema()")).scalar_one()
    quoted_role, quoted_schema = preparer.quote(role), preparer.quote(schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted_schema} FROM {quoted_role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {quoted_schema} FROM {quoted_role}",
        f"GRANT USAGE ON SCHEMA {quoted_schema} TO {quoted_role}",
    ]
    for table in sorted(inspect(connection).get_table_names(schema=schema)):
        statements.append(
            f"GRANT {runtime_privileges(table)} ON {quoted_schema}.{preparer.quote(table)} "
            f"TO {quoted_role}"
        )
    # identity columns draw from their sequences
    statements.append(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {quoted_role}"
    )
    for statement in statements:
        connection.execute(text(statement))
    return statements


class SchemaNotReady(Exception):
    """The runtime role found the schema behind the code and may not migrate it."""


def migrate(
    owner_url: str, runtime_url: str | None = None, grant_to: str | None = None
) -> str | None:
    """Migrate as the schema owner, then restate the runtime role's rights: `grant_to`, or the
    user of `runtime_url` when it is not the owner. Returns the role granted to, if any."""
    from storage.db import make_engine, upgrade

    role = grant_to
    if role is None and runtime_url is not None and role_of(runtime_url) != role_of(owner_url):
        role = role_of(runtime_url)
    engine = make_engine(owner_url)
    try:
        upgrade(engine)
        if role and grant_runtime_privileges(engine, role):
            return role
        return None
    finally:
        engine.dispose()


def ensure_schema(runtime: Engine, owner_url: str | None = None) -> None:
    """At start-up: migrate as the owner when its URL is given; otherwise migrate only when the
    schema is behind (a single-role deployment), and say what to do when that is refused."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import current_revision, head_revision, upgrade

    if owner_url is not None:
        migrate(owner_url, runtime.url.render_as_string(hide_password=False))
        return
    current, head = current_revision(runtime), head_revision()
    if current == head:
        return
    try:
        upgrade(runtime)
    except SQLAlchemyError as error:
        raise SchemaNotReady(
            f"the database schema is at revision {current}, this version needs {head}, and "
            f"{role_of(str(runtime.url)) or 'this role'} may not migrate it "
            f"({type(getattr(error, 'orig', None) or error).__name__}): run `mosovo-bot db upgrade` with "
            "MOSOVO_MIGRATION_DATABASE_URL, the schema owner's URL"
        ) from None
