"""Errors and warnings raised by :mod:`polls`.

Every error is a :class:`PollsError`; each subclass also derives from the built-in exception a
caller would expect (``ValueError`` for bad values, ``KeyError`` for unknown names), so code that
catches the built-ins keeps working.
"""

from __future__ import annotations

__all__ = [
    "PollsError",
    "InvalidArgumentError",
    "FileFormatError",
    "SchemaError",
    "UnknownDatasetError",
    "MissingFileError",
    "PollsWarning",
    "InferenceWarning",
    "ConvergenceWarning",
]


class PollsError(Exception):
    """Base class of every error raised by :mod:`polls`."""


class InvalidArgumentError(PollsError, ValueError):
    """An argument has a value the function cannot use (the message names it and the value)."""


class FileFormatError(PollsError, ValueError):
    """A user's file cannot be read as asked.

    The message names the file and, where one is to blame, the row (1-based, as a spreadsheet
    shows it, counting the header as row 1), the column and the offending value.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        self.value = value
        where = []
        if path is not None:
            where.append(f"file {path!s}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {value!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SchemaError(PollsError, ValueError):
    """A toplines frame breaks the canonical schema; ``problems`` lists every finding."""

    def __init__(self, problems: list[str], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{len(self.problems)} problem(s) in {source or 'the toplines frame'}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class UnknownDatasetError(PollsError, KeyError):
    """No bundled dataset has this name; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class PollsWarning(UserWarning):
    """Base class of the warnings issued by :mod:`polls`."""


class InferenceWarning(PollsWarning):
    """Something was inferred from the data rather than stated (e.g. percent vs proportion)."""


class ConvergenceWarning(PollsWarning):
    """An iterative fit stopped before meeting its tolerance; the result carries diagnostics."""


class MissingFileError(PollsError, FileNotFoundError):
    """A path names no file; the message names the path."""
