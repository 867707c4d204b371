"""Contributor-facing findings: ``path:line:col: error: message``, never a traceback."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        if not self.line:  # about a whole file or folder (a file-system failure): ``path: error: ...``
            return f"{self.path}: {self.severity}: {self.message}"
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def github(self) -> str:
        """The same finding as a GitHub Actions workflow command, shown on the offending line."""
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(",", "%2C").replace(":", "%3A")
        where = f",line={self.line},col={self.col}" if self.line else ""
        return f"::{self.severity} file={path}{where}::{message}"


class Diagnostics(list[Diagnostic]):
    """Every finding of one run, so that a contributor sees all mistakes at once."""

    def error(self, path: str, line: int, col: int, message: str) -> None:
        self.append(Diagnostic(path, line, col, message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix when a close match exists, else ''."""
    import difflib  # here: only a mistake needs it, and kb validate starts for every check

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
