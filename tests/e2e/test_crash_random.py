"""The bot process SIGKILLed at random points of a request's life, restarted, and the request
finished (issue 10, the standing crash-recovery suite; the fixed points are in
test_crash_recovery.py).

Each run draws, from its seed, the step that is killed (an answer, `submit`, or the supervisor's
approval) and how: after a random delay from sending it (anywhere in its handling: before,
inside or after its transaction, while its messages are posted), or at a fault point drawn from
all of them (MOSOVO_TEST_CRASH_AT: committed or posted, for any purpose; a point the step never
reaches leaves it to finish, and the process is killed after it). Then a second process recovers
what the dead one left in the outbox, and an in-process bot finishes the request to approval.

After the restart and again at the end: the request is in a state its messages show (waiting at
the question last asked, at its summary not yet submitted, awaiting approval with its one card,
or approved with its one notice);
every answer given before the killed step is kept; no question, card, notice or reply is posted
twice (no two posts share an outbox key) and nothing is left unsent or given up; there is one
request; the audit chain verifies.

The runs' seeds come from MOSOVO_CRASH_SEED (fresh each session when unset) and each failure
names the seed that replays it: MOSOVO_CRASH_SEED=<seed> pytest tests/e2e/test_crash_random.py.
MOSOVO_CRASH_RUNS sets how many runs on each database (default 3); PostgreSQL, where replicas
run in production, gets MOSOVO_CRASH_RUNS_POSTGRES in all (default 20, the issue's figure)."""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot import ids
from bot.slack.outbox_delivery import CRASH_AT, key_of
from storage.audit import verify_chain
from storage.tables import RequestRow
from storage.unit_of_work import Database
from tests.e2e.flow import (
    answer_all,
    answers_around,
    approval_submission,
    real_today,
    review_date_around,
    start,
    submit,
)
from tests.e2e.test_crash_recovery import (
    cards,
    hold_runs_out,
    notices,
    on_the_real_clock,
    settings,
)
from tests.support import signing
from tests.support.bot_process import bot_process
from tests.support.running_bot import (
    OFFICER,
    PRIVATE,
    SECRET,
    SUP1,
    block_ids,
    current_question,
    thread_posts,
    ts_of,
)
from tests.support.slack_double import SlackCall, SlackDouble

pytestmark = pytest.mark.timeout(300)

SEED = os.environ.get("MOSOVO_CRASH_SEED") or str(secrets.randbelow(10**9))
RUNS = int(os.environ.get("MOSOVO_CRASH_RUNS", "3"))
POSTGRES_RUNS = int(os.environ.get("MOSOVO_CRASH_RUNS_POSTGRES", "20"))
#: every fault point of the outbox: a change committed and its message not yet posted, or
#: posted and not yet marked sent, for each purpose a message may have
POINTS = ("committed", "posted")
PURPOSES = {
    "answer": ("question", "message"),
    "submit": ("approval_card", "message"),
    "approve": ("card_update", "decision"),
}
BASIS = "order"
REQUESTS: Any = RequestRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Plan:
    """What one run kills, drawn from its seed."""

    seed: str
    step: str  # "answer" (the answer to question `answered` + 1), "submit" or "approve"
    answered: int  # answers given (and kept) before the killed step
    delay: float | None  # seconds after sending the step, or None: at `point`
    point: str | None

    @classmethod
    def drawn(cls, seed: str) -> Plan:
        rng = random.Random(seed)
        step = rng.choices(["answer", "submit", "approve"], weights=[2, 1, 1])[0]
        answered = rng.randrange(8) if step == "answer" else -1
        if rng.random() < 0.5:
            return cls(seed, step, answered, round(rng.uniform(0.0, 0.8), 3), None)
        point = f"{rng.choice(POINTS)}:{rng.choice(PURPOSES[step])}"
        return cls(seed, step, answered, None, point)


# -- what the bot has said and stored ------------------------------------------------------------


def questions_asked(slack: SlackDouble, thread: str) -> Counter[str]:
    return Counter(
        block[2:]
        for call in thread_posts(slack, thread)
        for block in block_ids(call)
        if block.startswith("q:")
    )


def stored(db_url: str) -> dict[str, Any]:
    database = Database(db_url)
    try:
        with database.engine.connect() as connection:
            requests = connection.execute(
                select(REQUESTS.c.state, REQUESTS.c.approval_card_ref, REQUESTS.c.answers)
            ).all()
            outbox: int = connection.execute(
                text("SELECT count(*) FROM outbox WHERE sent_at IS NULL OR gave_up_at IS NOT NULL")
            ).scalar_one()
        with database.read_session_factory() as session:
            chain = verify_chain(session)
    finally:
        database.dispose()
    assert len(requests) == 1, f"{len(requests)} requests, not one"
    [(state, card, answers)] = [(r[0], r[1], r[2]) for r in requests]
    return {
        "state": state,
        "card": card,
        "answers": dict(answers or {}),
        "unsent": outbox,
        "chain": chain.ok,
    }


def assert_consistent(slack: SlackDouble, db_url: str, thread: str, kept: set[str]) -> str:
    """The invariants after a kill (and at the end); the request's state."""
    now = stored(db_url)  # one request, no duplicate
    assert now["chain"], "the audit chain does not verify"
    assert now["unsent"] == 0, "a message left unsent or given up"
    keys = [key_of(c.args) for c in slack.calls("chat.postMessage") if c.ok]
    twice = [k for k, n in Counter(k for k in keys if k).items() if n > 1]
    assert twice == [], "a message posted twice"
    asked = questions_asked(slack, thread)
    assert all(n == 1 for n in asked.values()), f"a question asked twice: {asked}"
    answered = set(now["answers"])
    assert kept <= answered, f"answers given before the kill were lost: {kept - answered}"
    assert set(answered) <= set(asked), "an answer to a question never asked"
    state, shown_cards, shown_notices = now["state"], cards(slack, thread), notices(slack, thread)
    summary = [c for c in thread_posts(slack, thread) if ids.SUMMARY_BLOCK in block_ids(c)]
    if state == "collecting":
        assert shown_cards == [] and shown_notices == [] and summary == []
        waiting = current_question(slack, thread)
        assert waiting not in answered, "waiting at a question already answered"
    elif state == "confirming":  # every answer given, the summary shown, not yet submitted
        assert shown_cards == [] and shown_notices == []
        assert len(summary) == 1 and summary[0] is thread_posts(slack, thread)[-1]
    elif state == "awaiting_approval":
        assert len(shown_cards) == 1 and shown_notices == []
        assert now["card"] == ts_of(shown_cards[0])
    else:
        assert state == "approved", state
        assert len(shown_cards) == 1 and len(shown_notices) == 1
        shown = slack.message(PRIVATE, ts_of(shown_cards[0]))
        assert shown is not None
        assert ids.DECISION_BLOCK in [b.get("block_id") for b in shown["blocks"]]
    return str(state)


# -- one run ------------------------------------------------------------------------------------


def step_request(
    plan: Plan,
    request_id: str,
    thread: str,
    card: SlackCall | None,
    slack: SlackDouble,
    answers: dict[str, str],
) -> signing.SignedRequest:
    if plan.step == "approve":
        assert card is not None
        return approval_submission(
            request_id, card, SUP1, review_date=review_date_around(real_today())
        )
    typed = "submit" if plan.step == "submit" else answers[current_question(slack, thread)]
    event = signing.thread_reply(channel=PRIVATE, thread_ts=thread, user=OFFICER, text=typed)
    return signing.event_callback(SECRET, event)


def died_within(process: subprocess.Popen[str], seconds: float) -> bool:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def kill_during(
    url: str, process: subprocess.Popen[str], request: signing.SignedRequest, plan: Plan
) -> str:
    """Send the step and kill the process as planned; how it died."""
    done = threading.Event()

    def send() -> None:
        try:
            signing.post(f"{url}/slack/events", request.body, request.headers, timeout=30)
        except OSError:
            pass  # killed while answering
        finally:
            done.set()

    sender = threading.Thread(target=send, name="crash-step", daemon=True)
    sender.start()
    if plan.delay is not None:
        time.sleep(plan.delay)
        how = "after the delay"
    else:
        # the fault point kills it; a step that never reaches it (its work goes on after Slack
        # is answered) is killed a little later
        done.wait(timeout=30)
        if died_within(process, 3):
            how = "at its fault point"
        else:
            how = "after the step (its fault point never came)"
    process.kill()  # nothing, when its fault point has killed it
    assert process.wait(timeout=60) == -signal.SIGKILL
    sender.join(timeout=30)
    return how


def restarted(slack: SlackDouble, db_url: str) -> Any:
    """A fresh bot on the same database and Slack, on the real clock as the killed process was,
    with nothing falling due."""
    return on_the_real_clock(slack, db_url)


def recover(slack: SlackDouble, db_url: str) -> None:
    """Start the bot again; its sweeps send what the dead process left in the outbox."""
    hold_runs_out(db_url)
    with restarted(slack, db_url) as app:
        for _ in range(5):
            app.bot.sweeper.run_once()
            if stored(db_url)["unsent"] == 0:
                return
            time.sleep(0.2)


def one_run(plan: Plan, slack: SlackDouble, db_url: str, tmp_path: Path, said: list[str]) -> None:
    """The request through the plan's kill, its recovery, and to approval (what happened is
    added to `said`)."""
    answers = answers_around(real_today(), BASIS)  # it runs on the real clock
    card: SlackCall | None = None
    with restarted(slack, db_url) as app:
        request_id, thread = start(app)
        if plan.step == "answer":
            for _ in range(plan.answered):
                app.reply(thread, answers[current_question(slack, thread)])
        else:
            answer_all(app, thread, answers)
            if plan.step == "approve":
                card = submit(app, thread)
    kept = set(stored(db_url)["answers"])
    said.append(f"{len(kept)} answers kept before the killed step")

    env = settings(db_url, **({CRASH_AT: plan.point} if plan.point else {}))
    with bot_process(slack.url, tmp_path, **env) as (url, process):
        request = step_request(plan, request_id, thread, card, slack, answers)
        said.append("killed " + kill_during(url, process, request, plan))

    recover(slack, db_url)
    state = assert_consistent(slack, db_url, thread, kept)
    said.append(f"recovered in state {state} with {len(stored(db_url)['answers'])} answers")

    # finish it, as the officer and the supervisor would on seeing the thread
    with restarted(slack, db_url) as app:
        if state in ("collecting", "confirming"):
            answer_all(app, thread, answers)
            state = "submit"
        if state == "submit":
            card = submit(app, thread)
            state = "awaiting_approval"
        if state == "awaiting_approval":
            [card] = cards(slack, thread)
            result = app.send(
                approval_submission(
                    request_id, card, SUP1, review_date=review_date_around(real_today())
                )
            )
            assert result.status == 200, result
    final = assert_consistent(slack, db_url, thread, kept)
    assert final == "approved", final
    assert set(stored(db_url)["answers"]) == set(questions_asked(slack, thread))
    said.append("finished")


def crash_run(slack: SlackDouble, db_url: str, tmp_path: Path, label: str) -> None:
    plan = Plan.drawn(f"{SEED}-{label}")
    said: list[str] = []
    try:
        one_run(plan, slack, db_url, tmp_path, said)
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n-- crash run {plan} (replay: MOSOVO_CRASH_SEED={SEED}); {said}"
        ) from error
    print(f"crash run {plan}: {said}")


@pytest.mark.parametrize("run", range(RUNS))
def test_a_request_killed_at_a_random_point_recovers_and_finishes_consistently(
    slack: SlackDouble, db_url: str, tmp_path: Path, run: int
) -> None:
    database = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    crash_run(slack, db_url, tmp_path, f"{run}-{database}")


@pytest.mark.parametrize("run", range(RUNS, max(RUNS, POSTGRES_RUNS)))
def test_more_requests_killed_at_random_points_on_postgresql_recover_and_finish(
    slack: SlackDouble, pg_url: str, tmp_path: Path, run: int
) -> None:
    crash_run(slack, pg_url, tmp_path, f"{run}-postgresql")
