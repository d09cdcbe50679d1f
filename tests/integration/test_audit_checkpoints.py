"""Signed checkpoints catch what the hash chain alone cannot: a deleted tail, a rollback to an
older state, a rewrite with every hash recomputed. Each attack is made the way someone with the
schema owner's rights would make it, on both databases."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, insert, select, text

from flows.models import MonitoringRequest
from storage.audit import PendingEvent, chain_rows, verify_chain
from storage.checkpoints import (
    Checkpoint,
    CheckpointError,
    CheckpointReport,
    CheckpointSinks,
    generate_key,
    load_private_key,
    load_public_key,
    public_path,
    read_checkpoint_file,
    take_checkpoint,
    unlisted_checkpoints,
    verify_checkpoints,
)
from storage.tables import audit_events_table as events
from storage.tables import outbox_table
from storage.unit_of_work import Database
from tests.integration.test_audit_chain import tamper

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit.key"
    generate_key(path)
    return path


@pytest.fixture
def sink(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints.jsonl"


def add_events(db: Database, store: Store, full_request: NewRequest, n: int, tag: str) -> None:
    for i in range(n):
        store(full_request(thread_ts=f"{tag}{i}"))


def checkpoint(db: Database, key_file: Path, sink: Path) -> Checkpoint:
    taken = take_checkpoint(db, load_private_key(key_file), CheckpointSinks(file=sink))
    assert taken is not None
    return taken


def check(db: Database, sink: Path, key_file: Path) -> tuple[bool, CheckpointReport]:
    """(chain intact, checkpoint report), as `audit verify --checkpoints` works them out."""
    with db.read_session_factory() as session:
        chain = verify_chain(session)
        report = verify_checkpoints(
            session, read_checkpoint_file(sink), load_public_key(public_path(key_file))
        )
    return chain.ok, report


def unguarded(db: Database) -> None:
    """What the schema owner can do: take the append-only guard off."""
    tamper(db)


def rewrite_from(
    db: Database, first_id: int, change: Callable[[PendingEvent], PendingEvent]
) -> None:
    """Rewrite the log from `first_id` on with every hash recomputed: the chain stays intact."""
    unguarded(db)
    with db.session_factory() as session:
        rows = session.execute(select(events).where(events.c.id >= first_id).order_by(events.c.id))
        pending = [
            change(PendingEvent(r.action, r.actor, r.at, r.request_id, r.detail)) for r in rows
        ]
        prev: str = session.execute(
            select(events.c.hash).where(events.c.id == first_id - 1)
        ).scalar_one()
        session.execute(delete(events).where(events.c.id >= first_id))
        session.execute(insert(events), chain_rows(first_id - 1, prev, pending))
        session.commit()


@pytest.fixture
def logged(
    db: Database, store: Store, full_request: NewRequest, key_file: Path, sink: Path
) -> Database:
    """Five events, a checkpoint (event 6 records it), three more events, another checkpoint."""
    add_events(db, store, full_request, 5, "a")
    checkpoint(db, key_file, sink)
    add_events(db, store, full_request, 3, "b")
    checkpoint(db, key_file, sink)
    return db


def test_an_untouched_log_passes_every_checkpoint(
    logged: Database, sink: Path, key_file: Path
) -> None:
    chain_ok, report = check(logged, sink, key_file)
    assert chain_ok and report == CheckpointReport(ok=True, checked=2, covered=9)
    assert [c.count for c in read_checkpoint_file(sink)] == [5, 9]


def test_a_checkpoint_is_recorded_in_the_log_and_the_head_it_signed_is_the_head(
    logged: Database, sink: Path
) -> None:
    first, second = read_checkpoint_file(sink)
    with logged.read_session_factory() as session:
        rows = session.execute(select(events).where(events.c.id.in_([5, 6]))).all()
    assert rows[0].hash == first.head
    assert (rows[1].action, rows[1].detail) == (
        "checkpointed",
        {"count": 5, "head": first.head, "key": first.key},
    )
    assert second.count == 9 and second.at == logged.clock.now().replace(microsecond=0)


def test_an_edited_event_is_found(logged: Database, sink: Path, key_file: Path) -> None:
    unguarded(logged)
    with logged.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'U0FORGED' WHERE id = 3"))
    chain_ok, _ = check(logged, sink, key_file)
    assert not chain_ok


def test_a_deleted_middle_event_is_found(logged: Database, sink: Path, key_file: Path) -> None:
    unguarded(logged)
    with logged.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 4"))
    chain_ok, report = check(logged, sink, key_file)
    assert not chain_ok and not report.ok
    assert "holds only 4 of them" in (report.problem or "")


def test_a_deleted_tail_passes_the_chain_but_not_the_checkpoint(
    logged: Database, sink: Path, key_file: Path
) -> None:
    unguarded(logged)
    with logged.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id >= 8"))
    chain_ok, report = check(logged, sink, key_file)
    assert chain_ok  # the chain cannot see a shorter log by itself
    assert (report.ok, report.checked) == (False, 1)
    assert "no longer reaches event 9" in (report.problem or "")


def test_a_rollback_to_an_older_state_then_new_events_is_found(
    logged: Database, store: Store, full_request: NewRequest, sink: Path, key_file: Path
) -> None:
    # a backup from before the second checkpoint is restored, and the bot carries on from it
    unguarded(logged)
    with logged.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id >= 7"))
        connection.execute(text("DELETE FROM outbox"))
        connection.execute(text("DELETE FROM requests WHERE id > 5"))
    for i in range(4):  # what happened since differs from what the checkpoint saw
        store(full_request(thread_ts=f"c{i}", officer_id="U0OTHER"))
    chain_ok, report = check(logged, sink, key_file)
    assert chain_ok and not report.ok
    assert "event 9 is not the one signed" in (report.problem or "")


def test_a_rewrite_with_every_hash_recomputed_passes_the_chain_but_not_the_checkpoints(
    logged: Database, sink: Path, key_file: Path
) -> None:
    rewrite_from(
        logged, 2, lambda e: PendingEvent(e.action, "U0FORGED", e.at, e.request_pk, e.detail)
    )
    chain_ok, report = check(logged, sink, key_file)
    assert chain_ok
    assert (report.ok, report.checked) == (False, 0)
    assert "event 5 is not the one signed" in (report.problem or "")


def test_an_altered_checkpoint_file_is_found(logged: Database, sink: Path, key_file: Path) -> None:
    lines = sink.read_text().splitlines()
    sink.write_text(lines[0].replace('"count":5', '"count":4') + "\n" + lines[1] + "\n")
    _, report = check(logged, sink, key_file)
    assert not report.ok and "bad signature" in (report.problem or "")


def test_a_checkpoint_signed_by_another_key_is_refused(
    logged: Database, sink: Path, key_file: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.key"
    generate_key(other)
    checkpoint(logged, other, sink)
    _, report = check(logged, sink, key_file)
    assert not report.ok and "another key" in (report.problem or "")


def test_the_scheduler_writes_nothing_when_nothing_happened_since(
    logged: Database, key_file: Path, sink: Path
) -> None:
    key = load_private_key(key_file)
    assert take_checkpoint(logged, key, CheckpointSinks(file=sink), only_if_moved=True) is None
    assert len(read_checkpoint_file(sink)) == 2


def test_a_checkpoint_can_also_go_to_a_slack_channel_through_the_outbox(
    db: Database, store: Store, full_request: NewRequest, key_file: Path
) -> None:
    add_events(db, store, full_request, 1, "a")
    taken = take_checkpoint(
        db, load_private_key(key_file), CheckpointSinks(channel="C0AUDIT"), only_if_moved=True
    )
    assert taken is not None
    with db.read_session_factory() as session:
        [row] = session.execute(select(outbox_table)).all()
    assert (row.method, row.purpose, row.payload["channel"]) == (
        "chat.postMessage",
        "audit_checkpoint",
        "C0AUDIT",
    )
    assert taken.to_line() in row.payload["text"]


def test_the_sink_is_appended_to_and_never_followed_through_a_link(
    db: Database, store: Store, full_request: NewRequest, key_file: Path, tmp_path: Path
) -> None:
    add_events(db, store, full_request, 1, "a")
    target = tmp_path / "elsewhere"
    target.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with pytest.raises(CheckpointError, match="cannot open the checkpoint file"):
        take_checkpoint(db, load_private_key(key_file), CheckpointSinks(file=link))
    with db.read_session_factory() as session:  # nothing recorded for a checkpoint not written
        assert verify_chain(session).count == 1


def test_keys_are_owner_only_and_never_replaced(key_file: Path) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with pytest.raises(CheckpointError, match="already exists"):
        generate_key(key_file)
    key_file.chmod(0o640)
    with pytest.raises(CheckpointError, match="readable by others"):
        load_private_key(key_file)


def test_a_mangled_line_in_the_checkpoint_file_is_refused(sink: Path) -> None:
    sink.write_text('{"v":1}\n')
    with pytest.raises(CheckpointError, match="line 1"):
        read_checkpoint_file(sink)


def test_a_checkpoint_line_round_trips(key_file: Path, t0: datetime) -> None:
    key = load_private_key(key_file)
    line = Checkpoint(3, "ab" * 32, t0 + timedelta(hours=1), "k", "s").to_line()
    assert Checkpoint.from_line(line).count == 3
    assert isinstance(key, Ed25519PrivateKey)


def test_checkpoints_recorded_in_the_log_but_missing_from_the_file_are_counted(
    logged: Database, sink: Path, key_file: Path
) -> None:
    first, second = read_checkpoint_file(sink)
    trusted = load_public_key(public_path(key_file))
    with logged.read_session_factory() as session:
        assert unlisted_checkpoints(session, [first, second], trusted) == 0
        assert unlisted_checkpoints(session, [second], trusted) == 1  # the sink lost one
