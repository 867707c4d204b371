"""YAML front matter, the ``page.meta`` of every generated page that MkDocs and Zensical read."""

from __future__ import annotations

import json
import re
from typing import Any

#: What must not stand unescaped in a YAML double-quoted scalar: what YAML does not allow in a file
#: (controls, surrogates, non-characters), what it reads as a line break (NEL, LS, PS), and the BOM.
_YAML_UNPRINTABLE = re.compile("[^\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def front(meta: dict[str, Any]) -> str:
    """YAML front matter that MkDocs and Zensical read as ``page.meta``.

    Each key's value is written as JSON, which is YAML too: a JSON string is a YAML double-quoted
    scalar, a JSON list or object a YAML flow collection. It reads back as the same data, and it is
    several times faster to write than YAML's own dumper, which mattered for thousands of pages.
    """
    lines = ["---"]
    for key, value in meta.items():
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        lines.append(f"{key}: {_YAML_UNPRINTABLE.sub(_yaml_escape, text)}")
    return "\n".join(lines) + "\n---\n\n"


def _yaml_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
