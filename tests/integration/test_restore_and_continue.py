"""A conversation saved to the database at any step carries on exactly as if never interrupted."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.catalogue import build_catalogue
from flows.clock import FixedClock
from flows.config import FlowConfig
from flows.conversation import Conversation
from flows.models import MonitoringRequest
from flows.outputs import Output, Question
from storage.unit_of_work import Database

OFFICER = "U0OFFICER"
ANSWERS = [
    "nom/1234567", "skip", "licence", "2027-06-30", "Jo Bloggs", "x123456", "yesterday",
    "Must allow monitoring software on any internet-enabled device.", "1", "2", "high",
    "1 Jun 2026", "tablet", "iPad Air", "iPadOS 18", "none", "SN-12345", "shared", "Partner",
    "no", "esafe", "2026-12-02", "It is necessary because the risk is rising online.", "back",
    "It is necessary because the risk is rising online.", "skip", "Lives with partner",
    "edit 5", "Jo Bloggs",
]  # fmt: skip


def conversation(clock: FixedClock) -> Conversation:
    config = FlowConfig()
    return Conversation(build_catalogue(config), config, clock)


def questions(outputs: list[list[Output]]) -> list[tuple[str, int, int]]:
    """The questions put to the officer, in order, with their position and the total."""
    return [
        (o.field.key, o.number, o.total)
        for step in outputs
        for o in step
        if isinstance(o, Question)
    ]


def test_saving_and_loading_after_every_answer_changes_nothing(db: Database) -> None:
    clock = FixedClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    reference = MonitoringRequest(OFFICER, "G0PRIV", clock.now(), request_id="MR-999999")
    reference_outputs = [conversation(clock).start(reference)]
    reference_outputs += [conversation(clock).handle_text(reference, t, OFFICER) for t in ANSWERS]

    stored = MonitoringRequest(OFFICER, "G0PRIV", clock.now())
    outputs = [conversation(clock).start(stored)]
    with db.uow() as uow:
        uow.requests.add(stored)
        uow.commit()
    request_id = stored.request_id
    assert request_id is not None
    for text in ANSWERS:
        with db.uow() as uow:
            restored = uow.requests.get(request_id)
            assert restored is not None
            outputs.append(conversation(clock).handle_text(restored, text, OFFICER))
            uow.requests.save(restored)
            uow.commit()

    with db.uow() as uow:
        final = uow.requests.get(request_id)
        history = uow.audit.history(request_id)
    assert final is not None
    assert final.state == reference.state == "confirming"
    assert final.answers == reference.answers and final.flags == reference.flags
    assert questions(outputs) == questions(reference_outputs)
    assert final.current_field == reference.current_field
    assert [type(o).__name__ for step in outputs for o in step] == [
        type(o).__name__ for step in reference_outputs for o in step
    ]
    assert [e.action for e in history] == [e.action for e in reference.events]
