"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain shows that no event was edited, removed or reordered, but not that the log is
as long as it once was, nor that someone with the schema owner's rights did not rewrite it with
every hash recomputed. A checkpoint closes that gap: the head (event count, head hash, time) is
signed with an Ed25519 key that is not in the database, and written to a sink outside it (an
append-only file, a Slack channel). `verify_checkpoints` then proves that the log still holds
every checkpointed head: a truncated tail, a rollback to an older backup, or a rewritten chain
each leaves a checkpoint the database cannot match.

A checkpoint line is JSON: {"v", "count", "head", "at", "key", "sig"}; `sig` is the base64
Ed25519 signature of the canonical JSON of the other fields, `key` the signing key's id (the
first 16 hex digits of the SHA-256 of its raw public key).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select

from flows.ports import OutboxMessage
from storage.audit import chain_head, lock_chain, recorded_checkpoints
from storage.prepared import Executor
from storage.tables import audit_events_table as events
from storage.types import canonical_json

if TYPE_CHECKING:
    from storage.unit_of_work import Database

FORMAT_VERSION = 1


class CheckpointError(Exception):
    """A key, sink or checkpoint file that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Checkpoint:
    count: int
    head: str
    at: datetime
    key: str
    sig: str = ""

    def signed_bytes(self) -> bytes:
        return canonical_json(
            {
                "v": FORMAT_VERSION,
                "count": self.count,
                "head": self.head,
                "at": self.at.astimezone(UTC).isoformat(timespec="seconds"),
                "key": self.key,
            }
        ).encode("utf-8")

    def to_line(self) -> str:
        body = json.loads(self.signed_bytes())
        return json.dumps({**body, "sig": self.sig}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        try:
            data = json.loads(line)
            if data.get("v") != FORMAT_VERSION:
                raise ValueError(f"unknown checkpoint version {data.get('v')!r}")
            count = data["count"]
            if not isinstance(count, int) or count < 0:
                raise ValueError("count must be a whole number")
            at = datetime.fromisoformat(data["at"])
            if at.tzinfo is None:
                raise ValueError("time has no zone")
            return cls(count, str(data["head"]), at, str(data["key"]), str(data["sig"]))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a checkpoint: {error}") from None


# --- keys ------------------------------------------------------------------------------------


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_key(path: Path) -> str:
    """Write a new private key (PEM, owner-only, never over an existing file or through a link)
    and its public key beside it as `<path>.pub`. Returns the key id."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(path, pem, 0o600)
    _write_new(public_path(path), public_pem, 0o644)
    return key_id(private.public_key())


def public_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key. Refused when others can read it: the key is what makes a checkpoint
    worth more than a note of the head hash."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as error:
        raise CheckpointError(f"cannot read the audit key {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CheckpointError(
            f"the audit key {path} is readable by others: chmod 600 it (or make a new one)"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise CheckpointError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 key (make one with `audit keygen`)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key (`.pub`), or the public half of a private key file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CheckpointError(f"cannot read the key {path}: {error.strerror}") from None
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        key = load_private_key(path).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} is not an Ed25519 key")
    return key


# --- making and writing checkpoints ------------------------------------------------------------


def sign_head(executor: Executor, key: Ed25519PrivateKey, at: datetime) -> Checkpoint:
    """Sign the committed head as `executor` sees it. Event ids are gapless from 1, so the head's
    id is the number of events."""
    count, head = chain_head(executor)
    unsigned = Checkpoint(count, head, at, key_id(key.public_key()))
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode("ascii")
    return Checkpoint(count, head, at, unsigned.key, signature)


def append_line(path: Path, line: str) -> None:
    """Append one line and fsync it: O_APPEND (never rewrites what is there), owner-only when
    created, never through a symbolic link."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o600)
    except OSError as error:
        raise CheckpointError(f"cannot open the checkpoint file {path}: {error.strerror}") from None
    try:
        os.write(descriptor, (line.rstrip("\n") + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_checkpoints(lines: Iterable[str]) -> list[Checkpoint]:
    """Checkpoint lines; blank lines are skipped, and anything else that is not a checkpoint is
    refused with its line number (a mangled sink must not pass as a shorter one)."""
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            found.append(Checkpoint.from_line(line))
        except ValueError as error:
            raise CheckpointError(f"line {number}: {error}") from None
    return found


def read_checkpoint_file(path: Path) -> list[Checkpoint]:
    try:
        with path.open(encoding="utf-8") as lines:
            return read_checkpoints(lines)
    except OSError as error:
        raise CheckpointError(f"cannot read {path}: {error.strerror}") from None


# --- verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointReport:
    ok: bool
    checked: int
    #: the highest event count a valid checkpoint vouches for
    covered: int = 0
    problem: str | None = None


def verify_checkpoints(
    executor: Executor, checkpoints: Iterable[Checkpoint], trusted: Ed25519PublicKey
) -> CheckpointReport:
    """Every checkpoint must be signed by the trusted key and its head must be in the log, at
    its count. Run after `verify_chain`: together they prove the log extends every head."""
    trusted_id = key_id(trusted)
    checked = covered = 0
    for checkpoint in checkpoints:
        problem = _check_one(executor, checkpoint, trusted, trusted_id)
        if problem:
            return CheckpointReport(False, checked, covered, problem)
        checked += 1
        covered = max(covered, checkpoint.count)
    return CheckpointReport(True, checked, covered)


def unlisted_checkpoints(
    executor: Executor, checkpoints: Iterable[Checkpoint], trusted: Ed25519PublicKey
) -> int:
    """How many checkpoints the log records (signed by `trusted`) that are not in
    `checkpoints`: written to another sink, or removed from this one."""
    listed = {(c.count, c.head) for c in checkpoints}
    trusted_id = key_id(trusted)
    return sum(
        1
        for detail in recorded_checkpoints(executor)
        if detail.get("key") == trusted_id
        and (detail.get("count"), detail.get("head")) not in listed
    )


def _check_one(
    executor: Executor, checkpoint: Checkpoint, trusted: Ed25519PublicKey, trusted_id: str
) -> str | None:
    when = checkpoint.at.astimezone(UTC).isoformat(timespec="seconds")
    name = f"checkpoint of {when} ({checkpoint.count} events)"
    if checkpoint.key != trusted_id:
        return f"{name} is signed by another key ({checkpoint.key}, trusted {trusted_id})"
    try:
        trusted.verify(base64.b64decode(checkpoint.sig, validate=True), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return f"{name} has a bad signature: the checkpoint file was altered"
    if checkpoint.count == 0:
        return None
    stored = executor.execute(
        select(events.c.hash).where(events.c.id == checkpoint.count)
    ).scalar_one_or_none()
    if stored is None:
        return (
            f"{name}: the log no longer reaches event {checkpoint.count} "
            "(its tail was deleted, or the database was rolled back)"
        )
    if stored != checkpoint.head:
        return (
            f"{name}: event {checkpoint.count} is not the one signed "
            "(the log was rewritten, or rolled back and written again)"
        )
    held = executor.execute(
        select(func.count()).select_from(events).where(events.c.id <= checkpoint.count)
    ).scalar_one()
    if held != checkpoint.count:
        return f"{name}: the log holds only {held} of them (events were deleted)"
    return None


def _write_new(path: Path, data: bytes, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, mode)
    except FileExistsError:
        raise CheckpointError(f"{path} already exists: not replacing a key") from None
    except OSError as error:
        raise CheckpointError(f"cannot create {path}: {error.strerror}") from None
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


# --- the use case: sign the head, write it out, record that it was taken ------------------------


@dataclass(frozen=True)
class CheckpointSinks:
    """Where checkpoints go: an append-only file, and/or a Slack channel (through the outbox,
    so a Slack outage delays the post but never loses it)."""

    file: Path | None = None
    channel: str | None = None

    @property
    def empty(self) -> bool:
        return self.file is None and self.channel is None


def take_checkpoint(
    db: Database,
    key: Ed25519PrivateKey,
    sinks: CheckpointSinks,
    *,
    actor: str = "system",
    only_if_moved: bool = False,
) -> Checkpoint | None:
    """Sign the head and write it to every sink, then record a `checkpointed` event. The chain
    lock is held throughout, so the signed head is the head, and two replicas checkpointing at
    once write one after the other. `only_if_moved` (the scheduler): nothing is written when no
    event has joined the log since the last checkpoint was recorded."""
    with db.uow() as uow:
        lock_chain(uow.connection)
        last = uow.connection.execute(
            select(events.c.action).order_by(events.c.id.desc()).limit(1)
        ).scalar_one_or_none()
        if only_if_moved and last in (None, "checkpointed"):
            return None
        checkpoint = sign_head(uow.connection, key, db.clock.now())
        line = checkpoint.to_line()
        if sinks.file is not None:
            append_line(sinks.file, line)
        if sinks.channel is not None:
            uow.outbox.add(
                OutboxMessage(
                    "chat.postMessage",
                    {"channel": sinks.channel, "text": _slack_text(checkpoint, line)},
                    purpose="audit_checkpoint",
                )
            )
        uow.audit.append(
            "checkpointed",
            actor=actor,
            at=checkpoint.at,
            detail={"count": checkpoint.count, "head": checkpoint.head, "key": checkpoint.key},
        )
        uow.commit()
    return checkpoint


def _slack_text(checkpoint: Checkpoint, line: str) -> str:
    # nothing here comes from a user: counts, hex digests, a time and base64
    return (
        f"Audit checkpoint: {checkpoint.count} events, head {checkpoint.head[:16]}…\n```{line}```"
    )
