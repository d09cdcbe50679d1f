"""`mosovo-bot audit`: verify the hash chain (and signed checkpoints), make the signing key, and
write a checkpoint now (storage/checkpoints.py does the work)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import (
    EXIT_OK,
    EXIT_PROBLEM,
    Commands,
    refuse,
    with_database,
    with_database_url,
)

if TYPE_CHECKING:
    from bot.settings import AuditSettings
    from storage.unit_of_work import Database


def register(commands: Commands) -> None:
    parser = commands.add_parser("audit", help="the audit trail")
    audit_commands = parser.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser("verify", help="check the audit hash chain")
    verify.add_argument(
        "--checkpoints", type=Path, help="also prove the log holds every signed head in this file"
    )
    verify.add_argument(
        "--public-key",
        type=Path,
        help="the key that signed them (default: MOSOVO_AUDIT_KEY_FILE's public half)",
    )
    verify.set_defaults(handler=handle_verify)
    keygen = audit_commands.add_parser("keygen", help="make the Ed25519 key that signs checkpoints")
    keygen.add_argument("--output", type=Path, required=True, help="private key file (new)")
    keygen.set_defaults(handler=lambda args: cmd_audit_keygen(args.output))
    checkpoint = audit_commands.add_parser(
        "checkpoint", help="sign the audit head now and write it outside the database"
    )
    checkpoint.add_argument(
        "--output",
        type=Path,
        help="append to this file (default: MOSOVO_AUDIT_CHECKPOINT_FILE, else print it)",
    )
    checkpoint.set_defaults(handler=handle_checkpoint)


def _audit_settings() -> AuditSettings | int:
    from bot.settings import SettingsError, audit_settings_from_env

    try:
        return audit_settings_from_env()
    except SettingsError as error:
        return refuse(str(error))


def handle_verify(args: argparse.Namespace) -> int:
    settings = _audit_settings()
    if isinstance(settings, int):
        return settings
    trusted = args.public_key or settings.audit_key_file
    return with_database_url(lambda url: cmd_audit_verify(url, args.checkpoints, trusted))


def handle_checkpoint(args: argparse.Namespace) -> int:
    settings = _audit_settings()
    if isinstance(settings, int):
        return settings
    output = args.output or settings.audit_checkpoint_file
    return with_database_url(lambda url: cmd_audit_checkpoint(url, settings.audit_key_file, output))


def cmd_audit_verify(
    url: str, checkpoints: Path | None = None, trusted_key: Path | None = None
) -> int:
    """Walk the chain; with `checkpoints`, also prove the log holds every signed head in it
    (checked with `trusted_key`: a public key, or the private key file)."""
    from storage.audit import verify_chain
    from storage.checkpoints import (
        CheckpointError,
        load_public_key,
        read_checkpoint_file,
        unlisted_checkpoints,
        verify_checkpoints,
    )

    try:
        signed = None
        if checkpoints is not None:
            if trusted_key is None:
                raise CheckpointError(
                    "--checkpoints needs the public key: --public-key FILE or MOSOVO_AUDIT_KEY_FILE"
                )
            signed = (read_checkpoint_file(checkpoints), load_public_key(trusted_key))
    except CheckpointError as error:
        return refuse(str(error), "audit verify")

    def run(db: Database) -> int:
        with db.read_session_factory() as session:
            result = verify_chain(session)
            report = verify_checkpoints(session, *signed) if signed else None
            unlisted = unlisted_checkpoints(session, *signed) if signed else 0
        if not result.ok:
            print(
                f"audit chain BROKEN at event {result.first_bad_id}: {result.reason} "
                f"({result.count} events before it are intact)",
                file=sys.stderr,
            )
            return EXIT_PROBLEM
        print(f"audit chain intact: {result.count} events (head {result.head_hash})")
        if result.erased:
            print(
                f"{result.erased} events erased under retention keep their place in the chain"
                + (
                    f" ({result.unsealed} from before digests: links only)"
                    if result.unsealed
                    else ""
                )
            )
        if report is None:
            return EXIT_OK
        if not report.ok:
            print(f"audit checkpoints FAILED: {report.problem}", file=sys.stderr)
            return EXIT_PROBLEM
        print(
            f"audit checkpoints: all {report.checked} signed heads are in the log "
            f"(covering {report.covered} of {result.count} events)"
        )
        if unlisted:
            print(
                f"warning: {unlisted} checkpoints recorded in the log are not in {checkpoints} "
                "(written to another sink, or removed from this one)",
                file=sys.stderr,
            )
        return EXIT_OK

    return with_database(url, run)


def cmd_audit_keygen(output: Path) -> int:
    from storage.checkpoints import CheckpointError, generate_key, public_path

    try:
        kid = generate_key(output)
    except CheckpointError as error:
        return refuse(str(error), "audit keygen")
    print(f"audit key {kid} written to {output} (keep it off the database host and its backups)")
    print(f"public key: {public_path(output)} (give it to whoever verifies checkpoints)")
    return EXIT_OK


def cmd_audit_checkpoint(url: str, key_file: Path | None, output: Path | None) -> int:
    """Sign the head now and append it to `output` (default: print it)."""
    from storage.checkpoints import (
        CheckpointError,
        CheckpointSinks,
        load_private_key,
        take_checkpoint,
    )

    try:
        if key_file is None:
            raise CheckpointError("MOSOVO_AUDIT_KEY_FILE is not set (make a key: audit keygen)")
        key = load_private_key(key_file)
    except CheckpointError as error:
        return refuse(str(error), "audit checkpoint")

    def run(db: Database) -> int:
        try:
            taken = take_checkpoint(db, key, CheckpointSinks(file=output), actor="operator")
        except CheckpointError as error:
            return refuse(str(error), "audit checkpoint")
        assert taken is not None
        if output is None:
            print(taken.to_line())
        print(f"checkpoint: {taken.count} events, head {taken.head}", file=sys.stderr)
        return EXIT_OK

    return with_database(url, run)
