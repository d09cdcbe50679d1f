"""Decode once, escape once: what the officer typed is stored as typed, shown escaped exactly
once, and exported as typed. Slack delivers a typed `&`, `<` and `>` as entities (the test
harness sends them so, like Slack)."""

from __future__ import annotations

import io
import json

from bot import ids
from storage.export import ExportRequest, export_requests
from tests.e2e.flow import answer_all, answers_for, start, submit
from tests.support.running_bot import RunningBot, block_text, card_text


def test_a_typed_ampersand_is_stored_as_typed_and_shown_escaped_once(app: RunningBot) -> None:
    request_id, thread = start(app)
    summary = answer_all(app, thread, answers_for("order", device_make_model="Samsung & Co <A15>"))

    assert app.request(request_id).answers["device_make_model"] == "Samsung & Co <A15>"
    text = block_text(summary, ids.SUMMARY_BLOCK)
    assert "Samsung &amp; Co &lt;A15&gt;" in text
    assert "&amp;amp;" not in text and "&amp;lt;" not in text
    card = submit(app, thread)
    assert "Samsung &amp; Co &lt;A15&gt;" in card_text(card)
    assert "&amp;amp;" not in card_text(card)


def test_a_typed_channel_mention_never_pings_and_is_kept_as_typed(app: RunningBot) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order", order_court="<!channel> Leeds & Bradford"))
    submit(app, thread)

    assert app.request(request_id).answers["order_court"] == "<!channel> Leeds & Bradford"
    everything = json.dumps([c.args for c in app.slack.calls()])
    assert "<!channel>" not in everything
    assert "&lt;!channel&gt; Leeds &amp; Bradford" in everything
    assert "&amp;lt;" not in everything


def test_a_typed_entity_is_kept_literally(app: RunningBot) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order", order_reference="T2025 &lt;7012&gt;"))
    assert app.request(request_id).answers["order_reference"] == "T2025 &lt;7012&gt;"


def test_the_export_shows_what_was_typed(app: RunningBot) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order", device_make_model="Nokia & <Co>"))
    out = io.StringIO()
    export_requests(app.bot.database, out, ExportRequest("jsonl", "DS Smith", "test"))
    records = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    [record] = [r for r in records if r.get("id") == request_id]
    assert "Nokia & <Co>" in json.dumps(record, ensure_ascii=False)
    assert "&amp;" not in json.dumps(record)
