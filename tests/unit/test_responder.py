"""The responder: each kind of result goes to one place, refusals only to the one who tried."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.presenter import ThreadPresenter
from bot.responder import Asker, Responder
from bot.services import Installed, Refused, Reply
from bot.slack.messenger import Messenger
from flows.approval import AlreadyClosed
from flows.errors import DomainError
from flows.models import MonitoringRequest

LONDON = ZoneInfo("Europe/London")


class Recorder:
    """Stands in for the presenter and the messenger: remembers what it was asked to do."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *args: self.calls.append((name, args))


def responder() -> tuple[Responder, Recorder, Recorder]:
    presenter, messenger = Recorder(), Recorder()
    made = Responder(cast(ThreadPresenter, presenter), cast(Messenger, messenger), LONDON)
    return made, presenter, messenger


def request() -> MonitoringRequest:
    made = MonitoringRequest("U1", "C1", created_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    made.request_id = "MR-7"
    return made


def test_a_reply_is_shown_in_the_thread_and_nothing_is_ephemeral() -> None:
    made, presenter, messenger = responder()
    made.respond(Reply(request(), []), Asker("U1", "C1", "1.1"))
    assert [name for name, _ in presenter.calls] == ["show"]
    assert messenger.calls == []


def test_a_reply_that_changed_the_state_also_redraws_what_shows_the_state() -> None:
    made, presenter, _ = responder()
    made.respond(Reply(request(), [], moved=True), Asker("U1", "C1", "1.1"))
    assert [name for name, _ in presenter.calls] == ["show", "moved"]


def test_an_installation_names_who_recorded_it() -> None:
    made, presenter, _ = responder()
    installed = Installed(request(), "U2")
    made.respond(installed, Asker("U2", "C1"))
    assert presenter.calls == [
        ("installed", (installed.request, "U2")),
        ("moved", (installed.request, "U2")),
    ]


def test_a_refusal_is_ephemeral_for_the_one_who_tried_in_their_thread() -> None:
    made, presenter, messenger = responder()
    made.respond(Refused("Not yours.", DomainError("Not yours.")), Asker("U2", "C1", "1.1"))
    assert presenter.calls == []
    assert messenger.calls == [("ephemeral", ("C1", "U2", "Not yours.", "1.1"))]


def test_a_refusal_with_nowhere_to_go_is_not_posted() -> None:
    made, _, messenger = responder()
    made.respond(Refused("Not yours.", DomainError("Not yours.")), Asker("U2", None))
    assert messenger.calls == []


def test_a_late_decision_names_who_decided_first_and_when() -> None:
    made, _, _ = responder()
    closed = request()
    closed.decision, closed.decided_by = "approve", "U9"
    closed.decided_at = datetime(2026, 12, 1, 10, 5, tzinfo=UTC)
    error = AlreadyClosed("Already decided.", closed, decided_as="approved")
    text = made.refusal_text(Refused(error.message, error))
    assert text.startswith("MR-7 was already approved by <@U9> at ")
    assert "10:05" in text


def test_nothing_to_say_says_nothing() -> None:
    made, presenter, messenger = responder()
    made.respond(None, Asker("U1", "C1"))
    assert presenter.calls == messenger.calls == []
