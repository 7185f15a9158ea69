"""One error base whose message is shown to the user, in French, with an exit code."""

from __future__ import annotations


class UserError(Exception):
    """An error the user can fix; ``message`` is French and shown as is.

    ``hint`` is the fix said for the command line (a command, an option, a YAML line);
    ``page_hint``, the same fix as a gesture in the browser form, when it differs.
    """

    exit_code = 2

    def __init__(
        self, message: str, *, hint: str | None = None, page_hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.page_hint = page_hint


class UsageError(UserError):
    """A usage or file problem: missing file, unreadable file, bad template (exit 2)."""

    exit_code = 2


class OutputError(UsageError):
    """A file the command writes cannot be written there; the hint may offer another name.

    ``advice`` holds ``{elsewhere}`` where it tells how to name another file: « avec -o »
    for the commands that have that option; a command naming its file otherwise (``init``
    takes it as argument) says how with :meth:`name_elsewhere`.
    """

    def __init__(self, message: str, *, advice: str) -> None:
        super().__init__(message, hint=advice.format(elsewhere="avec -o"))
        self.advice = advice

    def name_elsewhere(self, how: str) -> None:
        """Tell in the hint ``how`` to name another file, instead of « avec -o »."""
        self.hint = self.advice.format(elsewhere=how)


class WouldOverwrite(OutputError):
    """The file to write exists already and replacing it was not asked (``--force``)."""


class AnswersError(UserError):
    """The answers themselves are wrong (exit 1)."""

    exit_code = 1
