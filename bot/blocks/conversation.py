"""Messages of the guided conversation in a request's thread, in the officer's language (the
`people` catalogue; the questions' own words come from the conversation's catalogue, already in
that language). Buttons on messages many people read take the thread's languages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids
from bot.blocks.text import (
    Message,
    button,
    context,
    escape,
    escape_within,
    long_text_blocks,
    section,
    shown,
    truncate,
)
from flows.fields import Field, FieldKind
from flows.flags import describe_flags
from flows.i18n import DEFAULT_LANGUAGE, N_, Translator, each_text, joined, translator
from flows.models import MonitoringRequest
from flows.outputs import (
    AnswerAccepted,
    AnswerRejected,
    AnswersDropped,
    FieldHelp,
    InfoReplyRecorded,
    Notice,
    Output,
    PrefillOffered,
    Question,
    Summary,
)

COMMANDS = N_(
    "Type your answer in this thread · `back` · `skip` (optional questions) · `help` · `cancel`"
)
HINT = N_(
    "Stuck? Type `help` for an explanation with an example, `back` to change an earlier answer, "
    "or `cancel` to withdraw this request."
)


def cancel_confirm(t: Translator) -> dict[str, Any]:
    """Slack's confirmation dialog on the Cancel button: withdrawing cannot be undone."""
    return {
        "title": {"type": "plain_text", "text": t("Cancel this request?")},
        "text": {
            "type": "plain_text",
            "text": t(
                "It will be withdrawn and nothing further will happen. You can restart it "
                "with these answers afterwards."
            ),
        },
        "confirm": {"type": "plain_text", "text": t("Cancel request")},
        "deny": {"type": "plain_text", "text": t("Keep it")},
        "style": "danger",
    }


#: free-text answers longer than this are shown in full below the summary list
LONG_ANSWER = 160


def prefill_offer(offer: PrefillOffered, t: Translator) -> tuple[str, list[dict[str, Any]]]:
    """Reuse an earlier request's answers about the same person? Only what is about the person
    is offered (never the device), and nothing the officer has answered is overwritten."""
    labels = ", ".join(escape(label) for label in offer.labels)
    body = t(
        ":recycle: {source} was about the same person. Reuse its answers about them "
        "({labels})? You can still change any of them at the summary.",
        source=offer.source_id,
        labels=labels,
    )
    return t("Reuse the answers of {source}?", source=offer.source_id), [
        section(body, ids.PREFILL_BLOCK),
        {
            "type": "actions",
            "block_id": ids.PREFILL_ACTIONS_BLOCK,
            "elements": [
                button(t("Reuse these answers"), ids.PREFILL_ACCEPT, offer.source_id, "primary"),
                button(t("Answer afresh"), ids.PREFILL_DECLINE, offer.source_id),
            ],
        },
    ]


def prefill_answered(
    blocks: list[dict[str, Any]], accepted: bool, language: str = DEFAULT_LANGUAGE
) -> Message:
    """The offer once taken or declined: its buttons gone, the choice said (in the officer's
    language, as the offer was)."""
    t = translator(language)
    kept = [b for b in blocks if b.get("block_id") != ids.PREFILL_ACTIONS_BLOCK]
    said = t("Reused.") if accepted else t("Not reused: answering afresh.")
    kept.append(context(said, ids.PREFILL_DONE_BLOCK))
    return Message(text=said, blocks=kept)


def restart_actions(
    request: MonitoringRequest, languages: Sequence[str] = (DEFAULT_LANGUAGE,)
) -> dict[str, Any]:
    """Under a closed request's last message (read by many: the thread's languages, on one
    button): start again without retyping anything."""
    label = joined(languages, lambda t: t("Restart with these answers"))
    return {
        "type": "actions",
        "block_id": ids.RESTART_ACTIONS_BLOCK,
        "elements": [button(label, ids.REQUEST_RESTART, str(request.request_id))],
    }


def restarted_message(
    blocks: list[dict[str, Any]],
    new_id: str,
    link: str | None,
    languages: Sequence[str] = (DEFAULT_LANGUAGE,),
) -> Message:
    """A closing message once restarted: its button gone, a line saying where it went on (in
    the thread's languages, as the message it is added to)."""
    kept = [b for b in blocks if b.get("block_id") != ids.RESTART_ACTIONS_BLOCK]
    where = f"<{link}|{new_id}>" if link else new_id
    line = each_text(
        languages, lambda t: t(":arrows_counterclockwise: Restarted as {where}.", where=where)
    )
    kept.append(context(line, ids.RESTARTED_BLOCK))
    text = each_text(languages, lambda t: t("Restarted as {ref}", ref=new_id), sep=" / ")
    return Message(text=text, blocks=kept)


def render(outputs: list[Output], language: str = DEFAULT_LANGUAGE) -> list[Message]:
    """One thread message for a reply's outputs, in the officer's language; a summary always
    starts its own message."""
    t = translator(language)
    messages: list[Message] = []
    blocks: list[dict[str, Any]] = []
    texts: list[str] = []

    def flush() -> None:
        if blocks:
            messages.append(
                Message(text=truncate(" ".join(texts), 3000), blocks=unique_ids(blocks))
            )
            blocks.clear()
            texts.clear()

    for output in outputs:
        if isinstance(output, Summary):
            flush()
            messages.append(summary_message(output, language))
            continue
        if isinstance(output, Question):
            # a question is a message of its own: once answered, it is rewritten in place
            flush()
            text, question = question_blocks(output, language=language)
            messages.append(Message(text=truncate(text, 3000), blocks=question))
            continue
        text, new_blocks = _render_one(output, t)
        texts.append(text)
        blocks.extend(new_blocks)
    flush()
    return messages


def _render_one(output: Output, t: Translator) -> tuple[str, list[dict[str, Any]]]:
    if isinstance(output, Question):
        return question_blocks(output, language=t.language)
    if isinstance(output, AnswerRejected):
        body = f":warning: {escape(output.message)}" + _example_unless_in(
            output.message, output.field, t
        )
        if output.add_hint:
            body += f"\n{t(HINT)}"
        return output.message, [section(body, ids.error_block(output.field.key))]
    if isinstance(output, FieldHelp):
        field = output.field
        body = f":information_source: *{escape(field.label)}*\n{escape(field.help)}"
        body += _example_unless_in(field.help, field, t)
        return field.help, [section(body, ids.HELP_BLOCK.format(key=field.key))]
    if isinstance(output, AnswersDropped):
        labels = ", ".join(escape(label) for label in output.labels)
        return t("Some answers will be asked again"), [
            section(
                f":arrows_counterclockwise: {labels}: {escape(output.reason)}.", ids.DROPPED_BLOCK
            )
        ]
    if isinstance(output, Notice):
        # a notice may quote what the officer typed (e.g. `edit <name>` naming no question)
        return escape(output.text), [section(escape(output.text), ids.NOTICE_BLOCK)]
    if isinstance(output, PrefillOffered):
        return prefill_offer(output, t)
    if isinstance(output, InfoReplyRecorded):
        note = t(
            "Reply recorded for the supervisor. When you are ready, type `submit` to send it "
            "back for approval (or `edit &lt;question&gt;` first)."
        )
        return note, [context(note, ids.INFO_RECORDED_BLOCK)]
    raise TypeError(f"no rendering for {type(output).__name__}")


def _example_unless_in(text: str, field: Field, t: Translator) -> str:
    """Every refusal and explanation shows an example, once."""
    if field.example in text:
        return ""
    return "\n" + t("_Example:_ {example}", example=escape(field.example))


def unique_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Block ids must be unique within a message: number any repeat."""
    seen: set[str] = set()
    result = []
    for block in blocks:
        block_id = block.get("block_id")
        if block_id in seen:
            number = len(seen)
            while f"{block_id}:{number}" in seen:  # the numbered id may itself be taken
                number += 1
            block = {**block, "block_id": f"{block_id}:{number}"}
        if block_id:
            seen.add(block["block_id"])
        result.append(block)
    return result


def question_blocks(
    question: Question, reminder: str | None = None, language: str = DEFAULT_LANGUAGE
) -> tuple[str, list[dict[str, Any]]]:
    """A question, in the officer's language (its field is worded in it already)."""
    t = translator(language)
    field = question.field
    number, total = question.number, question.total
    heading = t("*Question {number} of {total}*", number=number, total=total)
    if question.continued:
        heading = t("*Question {number} of {total}, continued*", number=number, total=total)
    body = f"{heading}\n{escape(field.prompt)}"
    if reminder:
        body = f"{reminder}\n{body}"
    if question.has_previous:
        body += "\n" + t("_Current answer:_ {answer}", answer=shown(field, question.previous, t))
    if field.optional:
        body += "\n" + t("_(optional: type `skip` to leave it out)_")
    if question.coming:
        coming = " · ".join(escape(label) for label in question.coming)
        body += "\n" + t(
            "_Next:_ {coming}. _Answer them in this message too if you like, one a line._",
            coming=coming,
        )
    blocks = [section(body, ids.question_block(field.key))]
    buttons = _option_buttons(field, t)
    if buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": ids.answer_actions_block(field.key),
                "elements": buttons,
            }
        )
    blocks.append(context(t(COMMANDS)))
    text = t(
        "Question {number} of {total}: {prompt}", number=number, total=total, prompt=field.prompt
    )
    return text, blocks


def answered_question(answered: AnswerAccepted, language: str = DEFAULT_LANGUAGE) -> Message:
    """A question once answered: the answer in place of its buttons, so the thread reads as a
    record and no old button can be pressed."""
    t = translator(language)
    question = answered.question
    field = question.field
    heading = t("*Question {number} of {total}*", number=question.number, total=question.total)
    body = (
        f"{heading}\n{escape(field.prompt)}\n:white_check_mark: {shown(field, answered.value, t)}"
    )
    return Message(
        text=truncate(t("Answered: {label}", label=field.label), 3000),
        blocks=[section(body, ids.answered_block(field.key))],
    )


def question_key(message: Message) -> str | None:
    """The field a thread message asks, if it is a question."""
    prefix = ids.QUESTION_BLOCK.format(key="")
    for block in message.blocks:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith(prefix):
            return block_id.removeprefix(prefix)
    return None


def _option_buttons(field: Field, t: Translator) -> list[dict[str, Any]]:
    if field.kind == FieldKind.YES_NO:
        options = [(t("Yes"), "yes"), (t("No"), "no")]
    else:
        options = [(option.label, option.value) for option in field.options]
    # An actions block holds 25 elements; a longer list can still be answered by typing.
    return [
        button(label, ids.answer_action(field.key, value), value) for label, value in options[:25]
    ]


def summary_lines(summary: Summary, language: str = DEFAULT_LANGUAGE) -> list[str]:
    t = translator(language)
    lines = []
    for row in summary.rows:
        value = shown(row.field, row.value, t)
        if row.field.kind == FieldKind.TEXT and len(value) > LONG_ANSWER:
            value = escape_within(row.field.display(row.value), LONG_ANSWER)
            value += " " + t("_(in full below)_")
        if row.reused_from:
            value += " " + t("_(reused from {ref})_", ref=escape(row.reused_from))
        lines.append(f"{row.number}. *{escape(row.field.label)}:* {value}")
    return lines


def flag_lines(flags: dict[str, Any], t: Translator) -> list[str]:
    """Each flag as a sentence with its facts, in `t`'s language: people read words, never
    keys."""
    return [
        f":triangular_flag_on_post: {escape(text)}" for text in describe_flags(flags, t.language)
    ]


def summary_message(summary: Summary, language: str = DEFAULT_LANGUAGE) -> Message:
    """The summary, in the officer's language (the rows' fields, the deadline, the flags and the
    declaration come worded in it from the conversation)."""
    t = translator(language)
    body = t("*Summary: check every answer*") + "\n" + "\n".join(summary_lines(summary, language))
    if summary.deadline:
        body += "\n" + t("*Notification deadline:* {deadline}", deadline=escape(summary.deadline))
    flags = flag_lines(summary.flags, t)
    body += "\n\n" + ("\n".join(flags) if flags else t("No flags."))
    if summary.declaration:
        body += "\n\n" + t(
            "*By submitting you declare:* {declaration}", declaration=escape(summary.declaration)
        )
    blocks: list[dict[str, Any]] = [section(body, ids.SUMMARY_BLOCK)]
    for row in summary.rows:
        if (
            row.field.kind == FieldKind.TEXT
            and isinstance(row.value, str)
            and len(escape(row.value)) > LONG_ANSWER
        ):
            blocks.extend(
                long_text_blocks(
                    row.field.label, row.value, ids.FULL_ANSWER_BLOCK.format(key=row.field.key)
                )
            )
    blocks.append(
        {
            "type": "actions",
            "block_id": ids.SUMMARY_ACTIONS_BLOCK,
            "elements": [
                submit_button(summary.declaration, language),
                _edit_select(summary, t),
                button(
                    t("Cancel request"),
                    ids.REQUEST_CANCEL,
                    "cancel",
                    "danger",
                    confirm=cancel_confirm(t),
                ),
            ],
        }
    )
    blocks.append(
        context(t("Or type `submit`, `edit &lt;question number or key&gt;` or `cancel`."))
    )
    return Message(text=t("Summary of the request: submit, edit or cancel"), blocks=blocks)


def submit_button(declaration: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Submit, with a confirm dialog that repeats the declaration the officer makes by it."""
    t = translator(language)
    element = button(t("Submit for approval"), ids.REQUEST_SUBMIT, "submit", "primary")
    element["confirm"] = {
        "title": {"type": "plain_text", "text": t("Submit for approval?")},
        "text": {
            "type": "plain_text",
            "text": truncate(
                t("By submitting you declare: {declaration}", declaration=declaration), 300
            ),
        },
        "confirm": {"type": "plain_text", "text": t("Submit")},
        "deny": {"type": "plain_text", "text": t("Go back")},
    }
    return element


def _edit_select(summary: Summary, t: Translator) -> dict[str, Any]:
    # A static select holds at most 100 options, far more than the catalogue has.
    return {
        "type": "static_select",
        "action_id": ids.REQUEST_EDIT,
        "placeholder": {"type": "plain_text", "text": t("Edit an answer…")},
        "options": [
            {
                "text": {
                    "type": "plain_text",
                    "text": truncate(f"{row.number}. {row.field.label}", 75),
                },
                "value": row.field.key,
            }
            for row in summary.rows[:100]
        ],
    }
