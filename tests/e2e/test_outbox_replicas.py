"""Two replicas share one outbox: when one's sending outlasts its batch's lease, the other takes
over the rest and nothing is posted twice (issue 10, defect 6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sweeps import SweepReport
from flows.clock import FixedClock
from flows.ports import OutboxMessage
from tests.support.running_bot import MONDAY_10AM, PRIVATE, running_bot
from tests.support.slack_double import SlackDouble


class SlowSlack:
    """The first replica's Web API client: every call takes 70 seconds of the shared clock,
    and after its second call the other replica sweeps (as it would, meanwhile)."""

    def __init__(self, real: Any, clock: FixedClock, meanwhile: Any) -> None:
        self.real, self.clock, self.meanwhile, self.calls = real, clock, meanwhile, 0

    def api_call(self, method: str, **kwargs: Any) -> Any:
        self.calls += 1
        self.clock.advance(timedelta(seconds=70))
        response = self.real.api_call(method, **kwargs)
        if self.calls == 2:
            self.meanwhile()
        return response


def test_a_slow_replica_never_sends_what_another_took_over(slack: SlackDouble, db_url: str) -> None:
    clock = FixedClock(MONDAY_10AM)
    with running_bot(slack, db_url, clock) as first, running_bot(slack, db_url, clock) as second:
        with first.database.uow() as uow:
            for n in range(1, 7):
                payload = {"channel": PRIVATE, "text": f"note {n}"}
                uow.outbox.add(OutboxMessage("chat.postMessage", payload))
            uow.commit()
        sweeper = first.bot.sweeper
        sweeper.client = SlowSlack(  # type: ignore[assignment]
            sweeper.client, clock, lambda: second.bot.sweeper.deliver_outbox(SweepReport())
        )
        sweeper.deliver_outbox(SweepReport())
        texts = [c.args["text"] for c in slack.calls("chat.postMessage") if c.ok]
        assert sorted(texts) == [f"note {n}" for n in range(1, 7)]  # each exactly once
        with first.database.uow() as uow:
            assert uow.outbox.stats().pending == 0
