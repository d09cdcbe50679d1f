"""The domain's one exception hierarchy: every refusal says why, in words an officer can act on.

A refusal is worded either once, in the language of the person it is for (`self.t("…")` in the
conversation, which speaks the officer's language), or, where the rule does not know who will
read it, as words drawn later in the reader's language: ``NotAuthorised(lambda t: t("…"))``.
"""

from __future__ import annotations

from collections.abc import Callable

from flows.i18n import DEFAULT_LANGUAGE, Translator, translator

#: a refusal drawn in the reader's language
Words = Callable[[Translator], str]


class DomainError(Exception):
    """A rule of the process refused an action; what it says is safe to show to the user:
    `shown(t)` in the reader's language, `message` in the default language."""

    #: the audit action recorded when this refusal is logged, if it is worth an audit event
    audit_action: str | None = None

    def __init__(self, message: str | Words) -> None:
        super().__init__(message if isinstance(message, str) else "")
        self._words = message

    @property
    def worded(self) -> bool:
        """Drawn in the reader's language (not already worded in one)."""
        return not isinstance(self._words, str)

    def shown(self, t: Translator) -> str:
        """What the refusal says, in `t`'s language where it is `worded`."""
        return self._words if isinstance(self._words, str) else self._words(t)

    @property
    def message(self) -> str:
        return self.shown(translator(DEFAULT_LANGUAGE))

    def __str__(self) -> str:
        return self.message


class InvalidAnswer(DomainError):
    """An answer did not pass a field's rules."""


class InvalidTransition(DomainError):
    """The request is not in a state where that action is possible."""


class NotAuthorised(DomainError):
    """The user is not an authorised decider for requests."""

    audit_action = "unauthorised_decision_attempt"


class OwnRequest(DomainError):
    """A requester tried to decide their own request."""

    audit_action = "unauthorised_decision_attempt"


class SelfApproval(DomainError):
    """Someone who answered or changed a request tried to approve it."""

    audit_action = "unauthorised_decision_attempt"


class ApprovedAlready(DomainError):
    """A decider tried to give both of a request's two approvals."""

    audit_action = "unauthorised_decision_attempt"


class ReasonRequired(DomainError):
    """Reject and more-info need a reason."""


class AlreadyDecided(DomainError):
    """The request has already been decided (or otherwise closed); the first decision stands."""

    audit_action = "late_decision_attempt"


class NotRequester(DomainError):
    """Only the requesting officer may do this."""


class StaleQuestion(DomainError):
    """A button of a question that is no longer the one being asked was clicked."""
