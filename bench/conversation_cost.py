"""What a clean request costs the officer (not a test): inputs and bot messages, by basis.

    python -m bench.conversation_cost

Drives the real bot (signed Slack requests into the running app, the Slack Web API double on
127.0.0.1, a temporary SQLite database) through a request with no mistakes, for each legal
basis, the ways an officer can type it:

- one answer a message: every question answered on its own;
- one message a group: the current question and the ones the bot lists as coming next
  ("answer them in this message too, one a line"), as the question message invites.

It counts the officer's inputs (the slash command, each message, the Submit) and the messages
the bot posts in the channel for the request (its parent and every thread message; updates of
an answered question are edits, not new messages), then the ratio to the first edition's court
order: 27 inputs and 30 messages, counted the same way. Target: at most 60%.

And by the form: the command, *Fill in a form*, each page submitted (picking the basis is
choosing an answer on a page, as typing one is, not an action of its own) and the Submit.
Target: at most 8 officer actions.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot import ids
from tests.e2e.flow import answers_for, fill_form, form_answers_for, open_form, start, submit
from tests.support.running_bot import (
    RunningBot,
    current_question,
    posts,
    prepare_workspace,
    running_bot,
    thread_posts,
    with_block,
)
from tests.support.slack_double import SlackDouble

#: the first edition (issue 2) for a court order by typing, from issue 8
BASELINE_INPUTS = 27
BASELINE_MESSAGES = 30
TARGET = 0.60
FORM_TARGET = 8
BASES = ("order", "licence", "voluntary")


@dataclass(frozen=True)
class Cost:
    basis: str
    way: str
    inputs: int
    messages: int


def at_summary(app: RunningBot, thread: str) -> bool:
    summaries = with_block(thread_posts(app.slack, thread), ids.SUMMARY_BLOCK)
    return bool(summaries) and summaries[-1] is thread_posts(app.slack, thread)[-1]


def coming_keys(app: RunningBot, thread: str, labels: dict[str, str]) -> list[str]:
    """The keys of the questions the last question message lists as coming next."""
    last = thread_posts(app.slack, thread)[-1]
    text = " ".join(
        b.get("text", {}).get("text", "") for b in last.args.get("blocks") or [] if b.get("text")
    )
    match = re.search(r"_Next:_ (.*?)\. _Answer them", text)
    if not match:
        return []
    by_label = {label: key for key, label in labels.items()}
    return [by_label[label.strip()] for label in match[1].split(" · ")]


def run(app: RunningBot, basis: str, grouped: bool) -> Cost:
    before = len(posts(app.slack))
    _, thread = start(app)
    inputs = 1
    answers = answers_for(basis)
    labels = {f.key: f.label for f in app.bot.wiring.catalogue}
    for _ in range(80):
        if at_summary(app, thread):
            break
        key = current_question(app.slack, thread)
        keys = [key, *coming_keys(app, thread, labels)] if grouped else [key]
        app.reply(thread, "\n".join(answers[k] for k in keys))
        inputs += 1
    else:
        raise AssertionError("the conversation never reached the summary")
    submit(app, thread)
    inputs += 1
    messages = len(posts(app.slack)[before:])
    return Cost(
        basis, "one message a group" if grouped else "one answer a message", inputs, messages
    )


def run_form(app: RunningBot, basis: str) -> Cost:
    before = len(posts(app.slack))
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    assert view is not None, "the form did not open"
    pages = fill_form(app, view, form_answers_for(basis))
    submit(app, thread)
    # the command, the button, each page and the Submit
    return Cost(basis, "the form", 1 + 1 + pages + 1, len(posts(app.slack)[before:]))


def main() -> None:
    costs: list[Cost] = []
    with tempfile.TemporaryDirectory() as folder:
        for grouped in (False, True):
            for basis in BASES:
                with SlackDouble() as slack:
                    prepare_workspace(slack)
                    url = f"sqlite:///{Path(folder) / f'{basis}-{grouped}.db'}"
                    with running_bot(slack, url) as app:
                        costs.append(run(app, basis, grouped))
                    assert slack.rejected() == [], "Slack refused a call"
        for basis in BASES:
            with SlackDouble() as slack:
                prepare_workspace(slack)
                url = f"sqlite:///{Path(folder) / f'{basis}-form.db'}"
                with running_bot(slack, url) as app:
                    costs.append(run_form(app, basis))
                assert slack.rejected() == [], "Slack refused a call"
    print(f"{'basis':<10} {'way':<22} {'inputs':>6} {'messages':>8}  vs first edition's order")
    for cost in costs:
        ratio_in = cost.inputs / BASELINE_INPUTS
        ratio_msg = cost.messages / BASELINE_MESSAGES
        print(
            f"{cost.basis:<10} {cost.way:<22} {cost.inputs:>6} {cost.messages:>8}  "
            f"{ratio_in:.0%} of inputs, {ratio_msg:.0%} of messages"
        )
    for cost in costs:
        if cost.way == "the form":
            verdict = "meets" if cost.inputs <= FORM_TARGET else "misses"
            print(f"{cost.basis}, the form: {verdict} the target of {FORM_TARGET} actions")
    print(
        f"target: at most {TARGET:.0%} of {BASELINE_INPUTS} inputs and {BASELINE_MESSAGES} messages"
    )
    best = [c for c in costs if c.basis == "order" and c.way == "one message a group"]
    for cost in best:
        met = (
            cost.inputs <= TARGET * BASELINE_INPUTS and cost.messages <= TARGET * BASELINE_MESSAGES
        )
        print(f"court order, one message a group: {'meets' if met else 'misses'} the target")


if __name__ == "__main__":
    main()
