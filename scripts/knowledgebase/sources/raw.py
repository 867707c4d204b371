"""An entry as a reader of YAML or BibTeX hands it on: its data and where it stands, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledgebase.sources.positions import SourceFile


@dataclass
class RawEntry:
    """An entry as read, before validation."""

    id: str
    type: str
    data: dict[str, Any]
    source: SourceFile
    #: The file or block could not be read (already reported); kept so its id is known.
    broken: bool = False
