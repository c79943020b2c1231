"""Errors a user can cause, printed as one clear line by the CLI (never a traceback)."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix: bad input file, bad parameter, missing YEAR...

    ``message_vi`` is shown first (users are Vietnamese civil servants), ``message_en``
    alongside. ``where`` names the file / row / column / value when known, ``fix`` says how
    to repair it.
    """

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        where: str | None = None,
        fix_vi: str | None = None,
        fix_en: str | None = None,
    ) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.where = where
        self.fix_vi = fix_vi
        self.fix_en = fix_en
        super().__init__(self.one_line())

    @classmethod
    def formatted(cls, line: str) -> UserError:
        """An error whose one line was already written (e.g. raised in a notebook's kernel)."""
        return _FormattedError(line)

    def one_line(self) -> str:
        vi = self.message_vi + (f" Cách sửa: {self.fix_vi}" if self.fix_vi else "")
        en = self.message_en + (f" Fix: {self.fix_en}" if self.fix_en else "")
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{vi} / {en}"


class InputStop(UserError):
    """A 'stop'-graded data-contract failure: the run ends with no report."""


class ParamsError(UserError):
    """A parameter file in params/ is missing, malformed, or has an unknown/missing key."""


class _FormattedError(UserError):
    """A user error passed on as the one line it already is (bilingual once, not twice)."""

    def __init__(self, line: str) -> None:
        self.line = line
        super().__init__(line, line)

    def one_line(self) -> str:
        return self.line
