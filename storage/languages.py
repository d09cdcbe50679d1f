"""SQL adapter for flows.ports.LanguageRepository: one row a person, changed in place (the
history of choices is the audit log's `language_set` events)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.prepared import Executor, dialect_name
from storage.tables import person_languages_table as languages

#: a person's first choice, unless one is already there (binds "user_id", "language", "set_at")
_FIRST_CHOICE = {
    name: make_insert(languages)
    .values(
        user_id=bindparam("user_id"),
        language=bindparam("language"),
        set_at=bindparam("set_at"),
    )
    .on_conflict_do_nothing(index_elements=["user_id"])
    .returning(languages.c.user_id)
    for name, make_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


class SqlLanguageRepository:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    def get(self, user_id: str) -> str | None:
        return self._executor.execute(
            select(languages.c.language).where(languages.c.user_id == user_id)
        ).scalar_one_or_none()

    def set(self, user_id: str, language: str, at: datetime) -> str | None:
        dialect = dialect_name(self._executor)
        statement = _FIRST_CHOICE["postgresql" if dialect == "postgresql" else "sqlite"]
        values = {"user_id": user_id, "language": language, "set_at": at}
        # a concurrent first choice waits for the other to commit, then inserts nothing: the
        # row is then locked and read, so the old language recorded is the one replaced
        if self._executor.execute(statement, values).first() is not None:
            return None
        old: str = self._executor.execute(
            select(languages.c.language).where(languages.c.user_id == user_id).with_for_update()
        ).scalar_one()
        self._executor.execute(
            update(languages)
            .where(languages.c.user_id == user_id)
            .values(language=language, set_at=at)
        )
        return old
