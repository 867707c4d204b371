"""Where a source's keys and values stand: the file, line and column of every part of an entry.

The readers of ``sources`` record them as they parse; validation, linking and every message
about an entry point back into its file through them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: A path into an entry's data, such as ("sources", 2) or ("segment", "start").
FieldPath = tuple[str | int, ...]
#: A 1-based (line, column) in a source file.
Mark = tuple[int, int]


@dataclass
class SourceFile:
    """Where an entry was read from, and where each of its keys and values stands there."""

    path: str
    values: dict[FieldPath, Mark] = field(default_factory=dict)
    keys: dict[FieldPath, Mark] = field(default_factory=dict)
    start: Mark = (1, 1)
    text: str = field(default="", repr=False)
    #: A BibTeX record's fields as written (case-protecting braces and all), from the one parse of
    #: its file: the work's own BibTeX export keeps them.
    fields: dict[str, str] = field(default_factory=dict, repr=False)

    def value_mark(self, path: FieldPath) -> Mark:
        """The mark of the value at ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.start

    def key_mark(self, path: FieldPath) -> Mark:
        return self.keys.get(path) or self.value_mark(path)

    def locate(self, path: FieldPath, needle: str) -> Mark:
        """Where ``needle`` stands in the file, searching from the value at ``path`` on."""
        line, col = self.value_mark(path)
        text = self.text
        if not text:
            return line, col
        start = 0  # where ``line`` starts, found without walking the text character by character
        for _ in range(line - 1):
            start = text.find("\n", start) + 1
            if not start:
                return line, col
        found = text.find(needle, start + col - 1)
        if found < 0:
            return line, col
        return text.count("\n", 0, found) + 1, found - (text.rfind("\n", 0, found) + 1) + 1
