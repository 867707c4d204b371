"""Durations and timestamps as the sources write them (H:MM:SS or M:SS): read in one place,
written back for readers (``hms``) and for schema.org (``iso8601``)."""

from __future__ import annotations

import functools
import re
from typing import Any

from knowledgebase.model.entry import Entry


@functools.cache
def _pattern() -> re.Pattern[str]:
    """What common.schema.json's ``duration`` allows (H:MM:SS or M:SS): the schema says it once."""
    from knowledgebase.model.schema import common_definition

    return re.compile(common_definition("duration")["pattern"])


def seconds(value: Any) -> int | None:
    """'1:04:07' -> 3847; None for anything the schema does not take as a duration."""
    if not isinstance(value, str) or not _pattern().search(value):
        return None
    total = 0
    for part in value.split(":"):
        total = total * 60 + int(part)
    return total


def listening_seconds(entry: Entry) -> int:
    """How long a podcast entry takes to listen to: its segment if it lists one, else the whole episode."""
    segment = entry.get("segment")
    if segment:
        return max(0, (seconds(segment["end"]) or 0) - (seconds(segment["start"]) or 0))
    return seconds(entry.get("duration")) or 0


def hms(total: int) -> str:
    """3847 -> '1:04:07'; 989 -> '16:29'."""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def iso8601(value: str) -> str:
    """'1:04:07' -> 'PT1H4M7S', the form schema.org's ``duration`` takes."""
    hours, rest = divmod(seconds(value) or 0, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"
