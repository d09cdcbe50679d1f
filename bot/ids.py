"""Block, action and callback ids: the bot's public contract with Slack, tests and other tools.

Never rename one: Slack sends them back with every click, including on old messages.
"""

from __future__ import annotations

import re

QUESTION_BLOCK = "q:{key}"
ANSWER_ACTIONS_BLOCK = "a:{key}"
ANSWER_ACTION = "answer:{key}:{value}"
ANSWER_ACTION_PATTERN = re.compile(r"^answer:(?P<key>[a-z_]+):(?P<value>.+)$")
ERROR_BLOCK = "error:{key}"
#: a question once answered (its message rewritten: the answer, no buttons)
ANSWERED_BLOCK = "answered:{key}"

SUMMARY_BLOCK = "summary"
SUMMARY_ACTIONS_BLOCK = "summary_actions"
REQUEST_SUBMIT = "request_submit"
REQUEST_EDIT = "request_edit"
REQUEST_CANCEL = "request_cancel"
#: on a closed request's last message: a new request from its still-valid answers
REQUEST_RESTART = "request_restart"
RESTART_ACTIONS_BLOCK = "restart_actions"
RESTARTED_BLOCK = "restarted"
#: after the ViSOR answer, when an earlier request was about the same person
PREFILL_ACCEPT = "prefill_accept"
PREFILL_DECLINE = "prefill_decline"
PREFILL_BLOCK = "prefill"
PREFILL_ACTIONS_BLOCK = "prefill_actions"
PREFILL_DONE_BLOCK = "prefill_done"
#: on a request's first message: the form, a modal in pages (inputs' block ids: form:<key>)
REQUEST_FORM = "request_form"
FORM_VIEW = "request_form"
FORM_ACTIONS_BLOCK = "form_actions"
FORM_INTRO_BLOCK = "form_intro"
#: on a page shown again with answers reused from an earlier request while it was open
FORM_REFILLED_BLOCK = "form_refilled"
FORM_BLOCK_PREFIX = "form:"

APPROVAL_BLOCK = "approval"
APPROVAL_TITLE_BLOCK = "approval_title"
APPROVAL_FLAGS_BLOCK = "approval_flags"
APPROVAL_PROGRESS_BLOCK = "approval_progress"
APPROVAL_BASIS_BLOCK = "approval_basis"
APPROVAL_DEADLINE_BLOCK = "approval_deadline"
APPROVAL_ATTESTATION_BLOCK = "approval_attestation"
NECESSITY_BLOCK = "necessity"
APPROVAL_HISTORY_BLOCK = "approval_history"
APPROVAL_ASKED_BLOCK = "approval_asked"
APPROVAL_REPLIES_BLOCK = "approval_replies"
APPROVAL_CHANGES_BLOCK = "approval_changes"
APPROVAL_ACTIONS_BLOCK = "approval_actions"
#: on every approval card, a context block naming the round it shows: a click is judged by the
#: round on the card it came from, never by whether the card's ts was saved
CARD_ROUND_BLOCK = "card_round:{round}"
CARD_ROUND_PATTERN = re.compile(r"^card_round:(?P<round>[0-9]{1,6})$")
APPROVAL_APPROVE = "approval_approve"
APPROVAL_REJECT = "approval_reject"
APPROVAL_MORE_INFO = "approval_more_info"
DECISION_BLOCK = "decision"
SUPERSEDED_BLOCK = "superseded"

REASON_VIEW = "approval_reason"
APPROVE_VIEW = "approval_approve"
APPROVE_INTRO_BLOCK = "approve_intro"
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "comment"
REVIEW_DATE_BLOCK = "review_date"
REVIEW_DATE_ACTION = "review_date"
DECISION_COMMENT_BLOCK = "decision_comment"
REASON_BLOCK = "reason"
REASON_ACTION = "reason"

INSTALLATION_CONFIRM = "installation_confirm"
INSTALLATION_VIEW = "installation_record"
INSTALL_OUTCOME_BLOCK = "outcome"
INSTALL_OUTCOME_ACTION = "outcome"
INSTALL_DATE_BLOCK = "installed_on"
INSTALL_DATE_ACTION = "installed_on"
INSTALL_NOTES_BLOCK = "install_notes"
INSTALL_NOTES_ACTION = "install_notes"
REVIEW_DUE_BLOCK = "review_due"
REVIEW_ACTIONS_BLOCK = "review_actions"
REVIEW_CONFIRM = "review_confirm"
REVIEW_VIEW = "review_record"
REVIEW_OUTCOME_BLOCK = "review_outcome"
REVIEW_OUTCOME_ACTION = "review_outcome"
REVIEW_NEXT_BLOCK = "next_review"
REVIEW_NEXT_ACTION = "next_review"
REVIEW_NOTES_BLOCK = "review_notes"
REVIEW_NOTES_ACTION = "review_notes"
REVIEWED_BLOCK = "reviewed"
INSTALL_ACTIONS_BLOCK = "install_actions"

# Blocks of the bot's other messages, so tests and tools can find them.
REQUEST_HEADER_BLOCK = "request_header"
APPROVAL_HEADER_BLOCK = "approval_header"
DECISION_NOTICE_BLOCK = "decision_notice"
DECISION_REASON_BLOCK = "decision_reason"
NOTICE_REASON_BLOCK = "notice_reason"
LICENCE_WORDING_BLOCK = "licence_wording"
NOTES_BLOCK = "notes"
NECESSITY_BLOCK = "necessity"
OTHER_USERS_BLOCK = "other_users"
REASON_INTRO_BLOCK = "reason_intro"
#: a dialog opened at once (Slack's trigger lasts 3 s) and then found not to be allowed
DIALOG_REFUSED_BLOCK = "dialog_refused"
INSTALLED_BLOCK = "installed"
CLOSED_BLOCK = "closed"
NOTICE_BLOCK = "notice"
DROPPED_BLOCK = "dropped"
INFO_RECORDED_BLOCK = "info_recorded"
HELP_BLOCK = "help:{key}"
FULL_ANSWER_BLOCK = "full:{key}"
REMINDER_BLOCK = "reminder"
ESCALATION_BLOCK = "escalation"
EXPIRED_BLOCK = "expired"
LAPSED_BLOCK = "lapsed"
ABANDONED_BLOCK = "abandoned"
INSTALL_REMINDER_BLOCK = "install_reminder"
HOME_HEADER_BLOCK = "home_header"
DM_GUIDANCE_BLOCK = "dm_guidance"
DM_OPEN_BLOCK = "dm_open"
HOME_QUEUE_BLOCK = "home_queue"
HOME_QUEUE_ACTIONS_BLOCK = "home_queue_actions"
HOME_DECIDED_BLOCK = "home_decided"
HOME_MINE_BLOCK = "home_mine"
HOME_DELEGATIONS_BLOCK = "home_delegations"
HOME_MINE_ACTIONS_BLOCK = "home_mine_actions"
#: App Home's language menu (the selected option's value: `en` or `cy`)
HOME_LANGUAGE_BLOCK = "home_language"
HOME_LANGUAGE_ACTION = "home_language"
#: View on a home entry: `home_view:<request id>` where a view holds several (value: the id)
HOME_VIEW = "home_view"
HOME_VIEW_PATTERN = re.compile(r"^home_view(?::(?P<request_id>MR-\d+))?$")
#: paging a home list: `home_page:<queue|mine>:<previous|next>` (value: the new offset)
HOME_PAGE_PATTERN = re.compile(r"^home_page:(?P<list>queue|mine):(?:previous|next)$")

REQUEST_VIEW = "request_view"
VIEW_STATUS_BLOCK = "view_status"
VIEW_ANSWERS_BLOCK = "view_answers"
VIEW_FULL_BLOCK = "view_full:{key}"


def question_block(key: str) -> str:
    return QUESTION_BLOCK.format(key=key)


def answer_actions_block(key: str) -> str:
    return ANSWER_ACTIONS_BLOCK.format(key=key)


def answer_action(key: str, value: str) -> str:
    return ANSWER_ACTION.format(key=key, value=value)


def form_block(key: str) -> str:
    return f"{FORM_BLOCK_PREFIX}{key}"


def answered_block(key: str) -> str:
    return ANSWERED_BLOCK.format(key=key)


def error_block(key: str) -> str:
    return ERROR_BLOCK.format(key=key)


def home_view_action(request_id: str) -> str:
    return f"{HOME_VIEW}:{request_id}"


def home_page_action(name: str, direction: str) -> str:
    return f"home_page:{name}:{direction}"


def view_full_block(key: str) -> str:
    return VIEW_FULL_BLOCK.format(key=key)
