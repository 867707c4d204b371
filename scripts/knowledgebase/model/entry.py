"""The validated model: one ``Entry`` per source entry, whatever file format it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledgebase.sources.positions import SourceFile


@dataclass
class Entry:
    """One entry of the knowledge base."""

    id: str
    type: str
    data: dict[str, Any]
    source: SourceFile

    @property
    def title(self) -> str:
        return str(self.data.get("title", self.id))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)
