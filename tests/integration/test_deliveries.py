"""A redelivered Slack event or a double click is recognised, with the change it caused."""

from __future__ import annotations

from collections.abc import Callable

from flows.models import MonitoringRequest
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]


def test_a_redelivered_key_is_not_new_the_second_time(db: Database) -> None:
    with db.uow() as uow:
        assert uow.deliveries.first_time("Ev0123ABC") is True
        uow.commit()
    with db.uow() as uow:
        assert uow.deliveries.first_time("Ev0123ABC") is False
        assert uow.deliveries.first_time("Ev0123ABD") is True
        uow.commit()


def test_a_double_click_within_one_transaction_is_caught(db: Database) -> None:
    with db.uow() as uow:
        assert uow.deliveries.first_time("action:U1:approve:1.1") is True
        assert uow.deliveries.first_time("action:U1:approve:1.1") is False


def test_rolling_back_the_change_forgets_the_delivery_too(
    db: Database, full_request: NewRequest
) -> None:
    """A failure after recording the key must not make Slack's retry look like a duplicate."""
    with db.uow() as uow:
        assert uow.deliveries.first_time("Ev1")
        uow.requests.add(full_request())
        # no commit: something failed while handling the event

    with db.uow() as uow:
        assert uow.deliveries.first_time("Ev1") is True, "the retry is handled"
        request = full_request()
        uow.requests.add(request)
        uow.commit()

    with db.uow() as uow:
        assert uow.deliveries.first_time("Ev1") is False, "now it is a duplicate"
        assert uow.requests.get(request.request_id or "") is not None


def test_old_deliveries_can_be_pruned(db: Database) -> None:
    with db.uow() as uow:
        uow.deliveries.first_time("Ev1")
        uow.commit()
    later = db.clock.now().replace(year=2027)
    with db.uow() as uow:
        assert uow.deliveries.prune(before=later) == 1
        uow.commit()
    with db.uow() as uow:
        assert uow.deliveries.first_time("Ev1") is True
