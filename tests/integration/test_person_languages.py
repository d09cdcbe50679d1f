"""Each person's language is stored (one row a person) and every choice is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.languages import CHOICE_FRESH_SECONDS, Languages
from flows.clock import FixedClock
from flows.i18n import Language
from storage.audit import verify_chain
from storage.tables import audit_events_table, person_languages_table
from storage.unit_of_work import Database


def languages(
    db: Database, clock: FixedClock, locale: dict[str, Language] | None = None
) -> Languages:
    told = locale or {}
    return Languages(db.uow, db.reader, clock, "en", ("en", "cy"), told.get)


def language_events(db: Database) -> list[tuple[str, dict[str, object]]]:
    with db.reader() as uow:
        rows = uow.connection.execute(
            select(audit_events_table.c.actor, audit_events_table.c.detail)
            .where(audit_events_table.c.action == "language_set")
            .order_by(audit_events_table.c.id)
        ).all()
    return [(row.actor, row.detail) for row in rows]


def test_before_any_choice_slacks_locale_counts_then_the_default(
    db: Database, clock: FixedClock
) -> None:
    people = languages(db, clock, {"U0CYMRO": "cy"})
    assert people.language_for("U0CYMRO") == "cy"
    assert people.language_for("U0ANYONE") == "en"
    assert people.chosen("U0CYMRO") is None
    assert people.thread_languages() == ("en", "cy")


def test_a_choice_is_stored_and_beats_the_locale(db: Database, clock: FixedClock) -> None:
    people = languages(db, clock, {"U0SAIS": "en"})
    changed = people.set_language("U0SAIS", "cy", "command")
    assert (changed.old, changed.new) == (None, "cy")
    assert people.language_for("U0SAIS") == "cy"
    # another replica (a new service on the same database) sees it too
    assert languages(db, clock).language_for("U0SAIS") == "cy"


def test_each_choice_is_audited_with_who_when_old_and_new(db: Database, clock: FixedClock) -> None:
    people = languages(db, clock)
    people.set_language("U0PERSON", "cy", "command")
    people.set_language("U0PERSON", "en", "app_home")
    people.set_language("U0OTHER", "cy", "app_home")
    assert language_events(db) == [
        ("U0PERSON", {"user": "U0PERSON", "old": None, "new": "cy", "source": "command"}),
        ("U0PERSON", {"user": "U0PERSON", "old": "cy", "new": "en", "source": "app_home"}),
        ("U0OTHER", {"user": "U0OTHER", "old": None, "new": "cy", "source": "app_home"}),
    ]
    with db.reader() as uow:
        rows = uow.connection.execute(select(person_languages_table)).all()
        assert sorted((r.user_id, r.language, r.set_at) for r in rows) == [
            ("U0OTHER", "cy", clock.now()),
            ("U0PERSON", "en", clock.now()),
        ]
        assert verify_chain(uow.connection).ok


def test_only_a_language_the_bot_speaks_is_stored(db: Database, clock: FixedClock) -> None:
    people = languages(db, clock)
    with pytest.raises(ValueError, match="not a language"):
        people.set_language("U0PERSON", "fr", "command")  # type: ignore[arg-type]
    assert people.chosen("U0PERSON") is None
    assert language_events(db) == []


def test_a_choice_is_read_once_while_fresh_and_another_replicas_seen_when_stale(
    db: Database, clock: FixedClock
) -> None:
    """Every reply asks for the officer's language: it is remembered for CHOICE_FRESH_SECONDS,
    so a thread of answers costs one read; a choice made through another replica is seen once
    the remembered one is that old, one made through this replica at once."""
    now = [100.0]
    reads: list[int] = []

    def counted_reads():  # type: ignore[no-untyped-def]
        reads.append(1)
        return db.reader()

    here = Languages(db.uow, counted_reads, clock, "en", ("en",), None, lambda: now[0])
    there = languages(db, clock)
    assert here.language_for("U0TWO") == "en"
    for _ in range(10):
        assert here.language_for("U0TWO") == "en"
    assert len(reads) == 1
    there.set_language("U0TWO", "cy", "command")
    now[0] += CHOICE_FRESH_SECONDS - 1
    assert here.language_for("U0TWO") == "en"  # not yet: what it read is still fresh
    now[0] += 1
    assert here.language_for("U0TWO") == "cy"
    assert len(reads) == 2
    here.set_language("U0TWO", "en", "app_home")
    assert here.language_for("U0TWO") == "en"  # its own choice at once, not read again
    assert len(reads) == 2
