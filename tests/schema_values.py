"""Values that fit a field's schema, for tests that fill entries the way a contributor would.

One rule set, so that the scaffold test and the hostile knowledge base agree on what a valid
date, duration, year, DOI, ... looks like, and a new format in the schemas is taught once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def formatted_value(
    schema: dict[str, Any], name: str, ref: Callable[[dict[str, Any], str], str], slug: Callable[[str], str]
) -> Any:
    """A valid value for a field whose schema fixes its form, or None for free text.

    ``ref(schema, name)`` picks an existing id for a reference; ``slug(name)`` makes a slug.
    """
    message = schema.get("x-message", "")
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("type") == "boolean":
        return True
    if schema.get("type") == "integer":
        return max(1, schema.get("minimum", 1))
    if schema.get("x-ref"):
        return ref(schema, name)
    if schema.get("format") == "kb-date":
        return "2024-05-01"
    if "H:MM:SS" in message:
        return {"start": "1:00", "end": "2:30"}.get(name, "30:00")
    if "four-digit year" in message:
        return "2024"
    if "month" in message:
        return "5"
    if "page" in message:
        return "1--10"
    if "DOI" in message:
        return "10.1234/example"
    if "slug" in message:
        return slug(name)
    return None


def free_text_kind(schema: dict[str, Any]) -> str:
    """Which kind of free text a field holds: a URL, Markdown prose, or plain text."""
    if schema.get("format") == "http-url":
        return "url"
    if schema.get("x-markdown"):
        return "prose"
    return "text"
