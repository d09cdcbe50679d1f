"""What the commands share: exit statuses, settings and database access, dates, output files,
and stopping on a signal."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.unit_of_work import Database

#: The command did what was asked.
EXIT_OK = 0
#: The command ran and found a problem (the audit chain is broken, a doctor check failed).
EXIT_PROBLEM = 1
#: The command refused or could not run (a missing setting or argument, a database error).
EXIT_REFUSED = 2

#: ``commands.add_parser`` in each module's ``register``.
Commands = Any  # argparse's _SubParsersAction is private


def refuse(message: str, prefix: str = "mosovo-bot") -> int:
    """Say why on standard error, in one line; the refusal status."""
    print(f"{prefix}: {message}", file=sys.stderr)
    return EXIT_REFUSED


def with_database_url(command: Callable[[str], int]) -> int:
    """Run `command` with DATABASE_URL (or the default), or refuse when it is malformed."""
    from bot.settings import SettingsError, database_url_from_env

    try:
        url = database_url_from_env()
    except SettingsError as error:
        return refuse(str(error))
    return command(url)


def with_database(url: str, run: Callable[[Database], int]) -> int:
    """Run `run` on the database at `url`; a database error is one line and the refusal status."""
    from sqlalchemy.exc import SQLAlchemyError

    from flows.ports import ConnectionLost
    from storage.unit_of_work import Database

    db = Database(url)
    try:
        return run(db)
    except (SQLAlchemyError, ConnectionLost) as error:
        # the class and the driver's message; never parameters (they may hold answers)
        failed = error.__cause__ if isinstance(error, ConnectionLost) else error
        detail = getattr(failed, "orig", None) or failed.__class__.__name__
        print(f"database error: {detail}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        db.dispose()


def parse_moment(value: str | date | datetime | None, flag: str = "--since") -> datetime | None:
    """A date means its midnight UTC; a time without a zone is taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{flag} must be a date like 2026-03-01, not {value!r}") from None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def add_audited_arguments(parser: argparse.ArgumentParser) -> None:
    """``--operator`` and ``--reason``: who runs a command that reads records, and why."""
    parser.add_argument("--operator", required=True, help="who is running it (recorded)")
    parser.add_argument("--reason", required=True, help="why (recorded; DPA 2018 s.62)")


class OutputExists(Exception):
    """The output path already exists (a file, a link, anything) and --force was not given."""


#: a new file only: never an existing one, never through a symbolic link
_NEW_PRIVATE_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def create_private(path: str, *, force: bool = False) -> int:
    """A new file at `path`, readable by its owner only, as an open descriptor. An existing path
    is refused (OutputExists) unless `force`: then it is removed first, so what is written never
    keeps the old file's permissions and never goes through a link (a link is removed, not
    followed; a link put back meanwhile makes O_EXCL fail)."""
    if force and os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            raise OutputExists(f"{path} is a directory")
        os.unlink(path)
    try:
        return os.open(path, _NEW_PRIVATE_FILE, 0o600)
    except FileExistsError:
        raise OutputExists(f"{path} already exists; use --force to replace it") from None


@contextmanager
def open_output(output: str | None, *, binary: bool = False, force: bool = False) -> Iterator[Any]:
    """`output` as a new file readable by its owner only (see create_private), or standard
    output for None or "-"."""
    if output is None or output == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    # what a command writes is as sensitive as the database: owner-only from the moment it exists
    descriptor = create_private(output, force=force)
    if binary:
        with open(descriptor, "wb") as out:
            yield out
    else:
        with open(descriptor, "w", encoding="utf-8", newline="") as text_out:
            yield text_out


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so shutdown runs every `finally` (scheduler, database)."""
    stopped = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopped
