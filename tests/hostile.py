"""A knowledge base whose every text field, of every entry type, carries hostile strings.

Used by the build-level security test (tests/test_security.py) and meant for the browser tests
too. The API:

``write_hostile_kb(root) -> HostileKB``
    Writes a complete, *valid* project into ``root``: ``content/`` with one entry of every YAML
    type (two podcasts: one with a duration, one with a segment), ``bibliography/hostile.bib``
    with one paper, a home page, and the real ``mkdocs.yml`` and ``overrides/``. Every field of
    every schema is filled: plain-text fields (titles, names, hosts, shorts, aliases, quotes,
    BibTeX title/author/journal/...) with ``text_payload(n)``, Markdown fields (summaries,
    bodies, notes) with ``prose_payload(n)``, URL fields with ``url_payload(n)``; ``n`` is unique
    per field, and every payload carries the marker ``kb-xss-<n>``, so that a dialog, an
    attribute or a request can be traced back to the field it came from.
    Build it with ``mkdocs build --strict`` (``cwd=root``); it must succeed.

``HostileKB``
    ``root``; ``placed``: one ``Placed(entry, type, field, n, kind, source)`` per filled field;
    ``entries``: id -> type; ``pages``: site-relative URL of each entry page ("podcasts/hostile-podcast/")
    -> the texts (``visible``) a reader must see there, literally, as text.

``REFUSED_URLS``
    URLs that ``kb validate`` must refuse in any URL field or Markdown link: javascript:, data:,
    vbscript:, file:, relative and scheme-relative ones, and obfuscated forms of them.

``MARKER``: the regular expression of the markers.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledgebase.model.schema import entry_types, resolve
from schema_values import formatted_value, free_text_kind

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"kb-xss-\d+")

#: (source, visible): what goes into a plain-text field, and what a reader must then see.
_TEXT = (
    '<script>alert("kb-xss-{n}")</script>',
    '<img src=x onerror=alert("kb-xss-{n}")>',
    '"><svg onload=alert("kb-xss-{n}")>',
    "'><iframe src=javascript:alert('kb-xss-{n}')></iframe>",
    '[click](javascript:alert("kb-xss-{n}"))',
    "<a href=\"javascript:alert('kb-xss-{n}')\">kb-xss-{n}</a>",
    "{{onclick=\"alert('kb-xss-{n}')\"}}",
    '--8<-- "/etc/passwd"',
    "&lt;b&gt;kb-xss-{n}&lt;/b&gt; &amp;",
    "{{{{ 7*7 }}}} {{% raw %}}",
    '</title></textarea><script>alert("kb-xss-{n}")</script>',
    "<!-- kb-xss-{n}",
    '<javascript:alert("kb-xss-{n}")>',
    "![x](https://evil.example/kb-xss-{n}.png)",
    "<style>body{{display:none}}</style>",
    '<details open ontoggle=alert("kb-xss-{n}")>',
    "*[kb-xss-{n}]: <b>x</b> | `x` _x_ # x \\ x",
)

#: What goes into a Markdown field (each a paragraph), and what a reader must see of it.
#: Markdown links to javascript:, images and snippets are refused by validation (see REFUSED_URLS),
#: so they are not here: this knowledge base must build.
_PROSE = (
    ('<script>alert("kb-xss-{n}")</script>', '<script>alert("kb-xss-{n}")</script>'),
    ('<img src=x onerror=alert("kb-xss-{n}")>', '<img src=x onerror=alert("kb-xss-{n}")>'),
    ('"><svg onload=alert("kb-xss-{n}")>', '"><svg onload=alert("kb-xss-{n}")>'),
    (
        "<a href=\"javascript:alert('kb-xss-{n}')\">kb-xss-{n} link</a>",
        "<a href=\"javascript:alert('kb-xss-{n}')\">kb-xss-{n} link</a>",
    ),
    ("Attribute list {{onclick=\"alert('kb-xss-{n}')\"}}", "Attribute list {{onclick=\"alert('kb-xss-{n}')\"}}"),
    ("Block attribute list kb-xss-{n}\n{{: onmouseover=\"alert('kb-xss-{n}')\" }}", "{{: onmouseover=\"alert('kb-xss-{n}')\" }}"),
    ('See [[{org}|<img src=x onerror=alert("kb-xss-{n}")>]].', '<img src=x onerror=alert("kb-xss-{n}")>'),
    ('As cited [@{paper}, <script>alert("kb-xss-{n}")</script>].', '<script>alert("kb-xss-{n}")</script>'),
    ('[quoted href](https://example.org/"onmouseover="alert(kb-xss-{n}))', "quoted href"),
    ('[titled](https://example.org/kb-xss-{n} "t\\" onclick=\\"alert(1)")', "titled"),
    ('Code `<script>alert("kb-xss-{n}")</script>`', '<script>alert("kb-xss-{n}")</script>'),
    ('```\n<script>alert("kb-xss-{n}")</script>\n```', '<script>alert("kb-xss-{n}")</script>'),
    ("&#60;script&#62;alert(kb-xss-{n})&#60;/script&#62;", "<script>alert(kb-xss-{n})</script>"),
    ('<javascript:alert("kb-xss-{n}")>', '<javascript:alert("kb-xss-{n}")>'),
    ("{{{{ 7*7 }}}} {{% raw %}} kb-xss-{n}", "{{{{ 7*7 }}}} {{% raw %}} kb-xss-{n}"),
    ("<!-- kb-xss-{n} hidden?", "<!-- kb-xss-{n} hidden?"),
)

#: http(s) URLs that are valid but try to break out of the attribute or the Markdown link.
_URL = "https://example.org/kb-xss-{n}?q=\"><script>alert(1)</script>&r='onmouseover='alert(1)'&s=`x`"

#: URLs validation must refuse, wherever a URL goes.
REFUSED_URLS = (
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript&#58;alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "/relative/path",
    "example.org",
    "https://",
    "http:///no-host",
)


def text_payload(n: int) -> str:
    """Every plain-text payload on one line, marked ``kb-xss-<n>``."""
    return " ".join(t.format(n=n) for t in _TEXT)


def text_visible(n: int, bibtex: bool = False) -> str:
    """What a reader must see of ``text_payload(n)``: exactly the same text (BibTeX drops braces and folds spaces)."""
    text = text_payload(n)
    return " ".join(re.sub(r"(?<!\\)[{}]", "", text).split()) if bibtex else text


def prose_payload(n: int, org: str, paper: str) -> str:
    return "\n\n".join(source.format(n=n, org=org, paper=paper) for source, _ in _PROSE)


def prose_visible(n: int, bibtex: bool = False) -> list[str]:
    shown = [visible.format(n=n) for _, visible in _PROSE]
    if bibtex:
        shown = [v for v in shown if "{" not in v]
    return shown


def url_payload(n: int) -> str:
    return _URL.format(n=n)


@dataclass(frozen=True)
class Placed:
    entry: str
    type: str
    field: str
    n: int
    kind: str  # "text", "prose" or "url"
    source: str


@dataclass
class HostileKB:
    root: Path
    placed: list[Placed] = field(default_factory=list)
    entries: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> dict[str, list[str]]:
        """Each entry's page (site-relative URL) -> texts a reader must see there, as text.

        The entry's own title, and its summary (where the type has one), are always shown on it.
        """
        kinds = entry_types()
        shown: dict[str, list[str]] = {}
        for placed in self.placed:
            url = f"{kinds[placed.type].url}/{placed.entry}/"
            bibtex = placed.type == "paper"
            if placed.field == "title":
                shown.setdefault(url, []).append(text_visible(placed.n, bibtex))
            elif placed.field == "summary":
                shown.setdefault(url, []).extend(prose_visible(placed.n, bibtex))
        return shown


# --- generating the entries ----------------------------------------------------------------------

#: One entry of every type (the schemas say which types there are): "hostile-podcast", ...
IDS = {name: f"hostile-{name}" for name in entry_types()}


class _Filler:
    def __init__(self, kb: HostileKB) -> None:
        self.kb = kb
        self.count = 0

    def value(self, entry: str, type_name: str, path: str, raw: dict[str, Any], root: dict[str, Any]) -> Any:
        schema, base = resolve(raw, root)
        kind = schema.get("type")
        if kind == "object":
            return {
                name: self.value(entry, type_name, f"{path}.{name}", sub, base)
                for name, sub in schema.get("properties", {}).items()
            }
        if kind == "array":
            items, item_base = resolve(schema.get("items", {}), base)
            if items.get("type") == "object":
                return [self.value(entry, type_name, f"{path}[0]", schema["items"], base)]
            if items.get("enum"):
                return list(items["enum"])
            if items.get("x-ref") or "slug" in items.get("x-message", ""):
                return [self.scalar(entry, type_name, f"{path}[0]", items)]
            return [self.scalar(entry, type_name, f"{path}[{i}]", items) for i in range(2)]
        return self.scalar(entry, type_name, path, schema)

    def scalar(self, entry: str, type_name: str, path: str, schema: dict[str, Any]) -> Any:
        name = re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]
        value = formatted_value(
            schema,
            name,
            ref=lambda s, n: IDS.get(s.get("x-ref-type"), _ref_for(n)),
            slug=lambda n: f"old-{entry}" if n == "redirect_from" else "hostile-tag",
        )
        if value is not None:
            return value
        self.count += 1
        n = self.count
        kind = free_text_kind(schema)
        payload = {
            "url": url_payload,
            "prose": lambda n: prose_payload(n, IDS["organisation"], IDS["paper"]),
            "text": text_payload,
        }[kind]
        return self._place(entry, type_name, path, n, kind, payload(n))

    def _place(self, entry: str, type_name: str, path: str, n: int, kind: str, source: str) -> str:
        self.kb.placed.append(Placed(entry, type_name, path, n, kind, source))
        return source


def _ref_for(name: str) -> str:
    return {
        "publisher": IDS["organisation"],
        "holder": IDS["organisation"],
        "sources": IDS["source"],
        "source": IDS["source"],
    }.get(name, IDS["topic"])


def _yaml_scalar(value: Any, indent: int) -> str:
    if isinstance(value, str) and "\n" in value:
        pad = " " * (indent + 2)
        return "|-\n" + "\n".join(pad + line if line else "" for line in value.split("\n"))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _yaml(data: Any, indent: int = 0) -> str:
    """Block YAML, written by hand so that every string is quoted exactly as meant."""
    pad = " " * indent
    lines = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list) and value:
                lines.append(f"{pad}{key}:\n{_yaml(value, indent + 2)}")
            elif isinstance(value, list):
                lines.append(f"{pad}{key}: []")
            else:
                lines.append(f"{pad}{key}: {_yaml_scalar(value, indent)}")
    else:
        for item in data:
            if isinstance(item, dict):
                inner = _yaml(item, indent + 2).lstrip()
                lines.append(f"{pad}- {inner}")
            else:
                lines.append(f"{pad}- {_yaml_scalar(item, indent + 2)}")
    return "\n".join(lines)


def _bibtex(key: str, data: dict[str, Any]) -> str:
    fields = []
    for name, value in data.items():
        if name == "entrytype":
            continue
        if isinstance(value, list):
            value = " and ".join(value) if name == "author" else ", ".join(value)
        fields.append(f"  {name} = {{{value}}},")
    return f"@{data['entrytype']}{{{key},\n" + "\n".join(fields) + "\n}\n"


def write_hostile_kb(root: Path) -> HostileKB:
    """Write the hostile knowledge base (see the module's docstring) into ``root``."""
    root = Path(root)
    kb = HostileKB(root)
    filler = _Filler(kb)
    kinds = entry_types()
    for type_name, kind in kinds.items():
        entry = IDS[type_name]
        kb.entries[entry] = type_name
        data = {
            name: filler.value(entry, type_name, name, raw, kind.schema)
            for name, raw in kind.schema["properties"].items()
            if not (type_name == "podcast" and name == "segment")
        }
        if type_name == "paper":
            data["entrytype"] = "article"
            path = root / "bibliography" / "hostile.bib"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_bibtex(entry, data), encoding="utf-8")
            continue
        path = root / "content" / kind.folder / f"{entry}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml(data) + "\n", encoding="utf-8")
        if type_name == "podcast":
            # The other shape of podcast: a segment instead of a duration.
            segment = {k: v for k, v in data.items() if k != "duration"}
            segment["segment"] = filler.value(
                "hostile-segment", "podcast", "segment", kind.schema["properties"]["segment"], kind.schema
            )
            segment["title"] = filler.scalar("hostile-segment", "podcast", "title", {"type": "string"})
            segment["summary"] = filler.scalar("hostile-segment", "podcast", "summary", {"type": "string", "x-markdown": True})
            segment["redirect_from"] = ["old-hostile-segment"]
            kb.entries["hostile-segment"] = "podcast"
            (path.parent / "hostile-segment.yaml").write_text(_yaml(segment) + "\n", encoding="utf-8")
    # Glossary words become abbreviations on every page; words with brackets are skipped, so
    # this term's words have none, and its definition rides in every tooltip.
    term = {
        "title": 'Hostile <script>alert("kb-xss-9001")</script> term',
        "short": '"><img src=x onerror=alert("kb-xss-9002")> {onclick="alert(1)"} </abbr><script>alert(1)</script>',
        "aliases": ['Alias " onmouseover="alert(9003)" kbxss9003', "Bold <b onmouseover=alert('kb-xss-9004')>bold</b>"],
        "abbreviations": ["KBXSS"],
        "body": 'The KBXSS term, also written Alias " onmouseover="alert(9003)" kbxss9003.',
        "sources": [IDS["source"]],
    }
    kb.entries["hostile-term"] = "glossary"
    (root / "content" / "glossary" / "hostile-term.yaml").write_text(_yaml(term) + "\n", encoding="utf-8")
    (root / "content" / "pages").mkdir(parents=True, exist_ok=True)
    (root / "content" / "pages" / "index.md").write_text(
        "---\ntitle: Home\n---\n\n# Hostile knowledge base\n\nStart with [[hostile-stakeholder]].\n", encoding="utf-8"
    )
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    if (root / "overrides").exists():
        shutil.rmtree(root / "overrides")
    shutil.copytree(ROOT / "overrides", root / "overrides")
    (root / "build" / "docs").mkdir(parents=True, exist_ok=True)
    (root / "build" / "docs" / ".gitkeep").touch()
    return kb
