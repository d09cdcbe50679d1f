"""The workbench's Slack: what each person would see after each Web API call, and how the page's
values become the state Slack sends (no bot, no server: the double answered directly)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.workbench.bench import _required_missing, slack_values, workspace
from bot.workbench.slack import WorkbenchSlack

Json = dict[str, Any]

OFFICER, SUPERVISOR = "U0WBOFFICER", "U0WBSUPER1"
CHANNEL = "G0WBUNIT"


@pytest.fixture
def slack() -> WorkbenchSlack:
    return WorkbenchSlack(workspace())


def top(slack: WorkbenchSlack, user: str) -> Json:
    shown = slack.top_modal(user)
    assert shown is not None
    return shown


def modal(title: str, **extra: Any) -> Json:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": [], **extra}


def test_a_modal_opens_for_whoever_issued_the_trigger_once(slack: WorkbenchSlack) -> None:
    trigger = slack.issue_trigger(SUPERVISOR)
    opened = slack.answer("views.open", {"trigger_id": trigger, "view": modal("One")})
    assert opened["ok"] and top(slack, SUPERVISOR)["id"] == opened["view"]["id"]
    assert slack.top_modal(OFFICER) is None
    again = slack.answer("views.open", {"trigger_id": trigger, "view": modal("Two")})
    assert again == {"ok": False, "error": "invalid_trigger_id"}


def test_push_stacks_and_update_replaces_in_place(slack: WorkbenchSlack) -> None:
    first = slack.answer(
        "views.open",
        {"trigger_id": slack.issue_trigger(OFFICER), "view": modal("One", external_id="x1")},
    )["view"]
    pushed = slack.answer(
        "views.push", {"trigger_id": slack.issue_trigger(OFFICER), "view": modal("Two")}
    )["view"]
    assert top(slack, OFFICER)["id"] == pushed["id"] != first["id"]
    updated = slack.answer("views.update", {"external_id": "x1", "view": modal("One again")})
    assert updated["ok"] and updated["view"]["id"] == first["id"]
    slack.close_modal(OFFICER, pushed["id"])
    assert top(slack, OFFICER)["title"]["text"] == "One again"
    missing = slack.answer("views.update", {"view_id": "V0NONE", "view": modal("x")})
    assert missing == {"ok": False, "error": "not_found"}


def test_an_ephemeral_is_kept_for_its_person_only_and_blocks_get_ids(
    slack: WorkbenchSlack,
) -> None:
    slack.answer("chat.postEphemeral", {"channel": CHANNEL, "user": OFFICER, "text": "psst"})
    assert [(e.user, e.text) for e in slack.ephemerals] == [(OFFICER, "psst")]
    block = {"type": "actions", "elements": [{"type": "button", "text": {}}]}
    posted = slack.answer("chat.postMessage", {"channel": CHANNEL, "text": "t", "blocks": [block]})
    stored = posted["message"]["blocks"][0]
    assert stored["block_id"] and stored["elements"][0]["action_id"]
    assert slack.answer("views.publish", {"user_id": "U0NOBODY", "view": {"type": "home"}}) == {
        "ok": False,
        "error": "user_not_found",
    }


def test_page_values_become_slacks_state_and_required_fields_are_checked() -> None:
    options = [{"text": {"type": "plain_text", "text": n}, "value": n} for n in ("a", "b")]
    blocks: list[Json] = [
        {
            "type": "input",
            "block_id": "text",
            "element": {"type": "plain_text_input", "action_id": "v", "max_length": 3},
        },
        {
            "type": "input",
            "block_id": "pick",
            "element": {"type": "static_select", "action_id": "v", "options": options},
        },
        {
            "type": "input",
            "block_id": "day",
            "optional": True,
            "element": {"type": "datepicker", "action_id": "v", "initial_date": "2026-01-02"},
        },
    ]
    values = slack_values(blocks, {"text": {"v": "abcdef"}, "pick": {"v": "b"}})
    assert values["text"]["v"] == {"type": "plain_text_input", "value": "abc"}
    assert values["pick"]["v"]["selected_option"]["value"] == "b"
    assert values["day"]["v"] == {"type": "datepicker", "selected_date": "2026-01-02"}
    assert _required_missing(blocks, values) == []
    # an option the element does not have is no choice at all
    empty = slack_values(blocks, {"pick": {"v": "zzz"}})
    assert _required_missing(blocks, empty) == ["text", "pick"]
