"""One error base whose message is shown to the user, in French, with an exit code."""

from __future__ import annotations


class UserError(Exception):
    """An error the user can fix; ``message`` is French and shown as is."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(UserError):
    """A usage or file problem: missing file, unreadable file, bad template (exit 2)."""

    exit_code = 2


class AnswersError(UserError):
    """The answers themselves are wrong (exit 1)."""

    exit_code = 1
