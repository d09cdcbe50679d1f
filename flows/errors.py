"""The domain's one exception hierarchy: every refusal says why, in words an officer can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the process refused an action; `message` is safe to show to the user."""

    #: the audit action recorded when this refusal is logged, if it is worth an audit event
    audit_action: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
