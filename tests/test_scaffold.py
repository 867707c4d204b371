"""`kb new TYPE ID`: a skeleton for every type that fails validation until filled, then passes.

The placeholders are filled the way a contributor would: each TODO replaced in the file's own
text by a value that fits the field's schema, comments and layout left as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from knowledgebase.model.schema import entry_types, resolve, walk
from schema_values import formatted_value, free_text_kind

# Part of `make check`, the contributor's quick check (see the Makefile).
pytestmark = pytest.mark.quick

TYPES = list(entry_types())
YAML_TYPES = [t for t in TYPES if not entry_types()[t].is_bibtex]
#: Ids of the mini knowledge base (tests/fixtures/mini) by type, for references.
EXISTING = {"stakeholder": "developers", "organisation": "osi", "paper": "widder2024why", "source": "explainer"}
PLACEHOLDER_FINDING = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): error: '(?P<field>[^']+)' still holds the placeholder 'TODO'", re.M
)


def schema_at(kind, path: tuple) -> dict:
    """The resolved sub-schema for a concrete data path (list indexes match '*')."""
    pattern = tuple("*" if isinstance(p, int) else p for p in path)
    for candidate, schema in walk(kind.schema):
        if candidate == pattern:
            return schema
    raise KeyError(path)


def valid_value(schema: dict, path: tuple) -> object:
    """A value that fits ``schema``, as a contributor would write one."""
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    value = formatted_value(
        schema,
        name,
        ref=lambda s, _: EXISTING.get(s.get("x-ref-type"), "explainer"),
        slug=lambda n: f"example-{n.replace('_', '-')}",
    )
    if value is not None:
        return value
    return {
        "url": "https://example.org/page",
        "prose": "Written in our own words, with a link to [[developers]].",
        "text": f"An example {name.replace('_', ' ')}",
    }[free_text_kind(schema)]


def fill_yaml(text: str, kind) -> str:
    """Every TODO in the YAML text replaced by a valid value, in place."""
    spans = []

    def visit(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.ScalarNode) and node.value.strip() == "TODO":
            spans.append((node.start_mark.index, node.end_mark.index, valid_value(schema_at(kind, path), path), node.style))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                visit(item, (*path, index))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                visit(value, (*path, key.value))

    visit(yaml.compose(text), ())
    for start, end, value, style in sorted(spans, reverse=True):
        replacement = json.dumps(value, ensure_ascii=False)
        if style == "|":
            replacement += "\n"
        text = text[:start] + replacement + text[end:]
    return text


def fill_bibtex(text: str, kind) -> str:
    text = text.replace("@TODO{", "@article{")

    def field(match: re.Match) -> str:
        name = match.group(1)
        value = valid_value(schema_at(kind, (name,)), (name,))
        if name == "author":
            value = "Doe, Jane and Roe, Richard"
        return f"{name} = {{{value}}}"

    return re.sub(r"(\w+) = \{TODO\}", field, text)


def uncomment_optional(text: str, kind) -> str:
    """Turn on every optional field, as a contributor deleting the '# ' in front of its lines would."""
    optional = set(kind.fields) - set(kind.schema.get("required", []))
    lines = text.splitlines()
    start = lines.index("# ---- Optional fields ----")
    inside = False
    for index in range(start + 1, len(lines)):
        line = lines[index]
        name = re.match(r"^# ([a-z_]+):( |$)", line)
        if name and name.group(1) in optional:
            inside = True
        elif not (inside and re.match(r"^#  ", line)):
            inside = False
            continue
        lines[index] = line[2:]
    return "\n".join(lines) + "\n"


def placeholders(text: str) -> set[tuple[int, str]]:
    """(line, field) of every TODO left in the active part of a YAML skeleton."""
    from knowledgebase.model.validate import field_name

    found = set()

    def visit(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.ScalarNode) and node.value.strip() == "TODO":
            found.add((node.start_mark.line + 1, field_name(path)))
        for index, item in enumerate(node.value) if isinstance(node, yaml.SequenceNode) else ():
            visit(item, (*path, index))
        for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
            visit(value, (*path, key.value))

    visit(yaml.compose(text), ())
    return found


def active_fields(path: Path) -> list[str]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("type_name", YAML_TYPES)
def test_new_yaml_entry_fails_until_filled_then_validates(project, type_name):
    kind = entry_types()[type_name]
    result = project.kb("new", type_name, "brand-new")
    assert result.returncode == 0, result.stderr
    path = project.root / "content" / kind.folder / "brand-new.yaml"
    assert f"wrote content/{kind.folder}/brand-new.yaml" in result.stdout
    text = path.read_text(encoding="utf-8")

    # The editor modeline points at the type's schema, relative to the file.
    modeline = re.match(r"^# yaml-language-server: \$schema=(\S+)\n", text)
    assert modeline, text[:200]
    schema_file = (path.parent / modeline.group(1)).resolve()
    assert schema_file.name == f"{type_name}.schema.json" and schema_file.is_file()
    jsonschema.Draft202012Validator.check_schema(json.loads(schema_file.read_text()))

    # Every field of the schema is there: required ones active, first; optional ones commented out.
    required = list(kind.schema.get("required", []))
    active = active_fields(path)
    assert active[: len(required)] == required
    assert set(active) - set(required) <= {"duration"}  # the first of "duration or segment"
    for name in kind.fields:
        assert re.search(rf"^(# )?{name}:", text, re.M), f"{name} missing from the skeleton"
    for name in set(kind.fields) - set(active):
        assert re.search(rf"^# {name}:", text, re.M), f"{name} should be commented out"
    # Each field carries a comment (the schema's description) on the lines above it.
    for name in active:
        before = text.split(f"\n{name}:")[0].splitlines()[-1]
        assert before.startswith("# ") and len(before) > 6, f"{name} has no comment"

    # Unfilled, it fails: each placeholder is named at its line.
    unfilled = project.kb("validate")
    assert unfilled.returncode == 1
    flagged = {(int(m["line"]), m["field"]) for m in PLACEHOLDER_FINDING.finditer(unfilled.stderr)}
    assert flagged == placeholders(text), unfilled.stderr
    assert unfilled.stderr.rstrip().endswith(f"{len(flagged)} error{'s' if len(flagged) != 1 else ''} found"), unfilled.stderr
    assert "Traceback" not in unfilled.stderr

    # Filled in, it validates.
    path.write_text(fill_yaml(text, kind), encoding="utf-8")
    filled = project.kb("validate")
    assert filled.returncode == 0, filled.stderr + path.read_text()
    assert path.read_text().startswith("# yaml-language-server: $schema=")


@pytest.mark.parametrize("type_name", YAML_TYPES)
def test_every_optional_field_validates_once_filled(project, type_name):
    kind = entry_types()[type_name]
    assert project.kb("new", type_name, "all-fields").returncode == 0
    path = project.root / "content" / kind.folder / "all-fields.yaml"
    text = uncomment_optional(path.read_text(encoding="utf-8"), kind)
    if type_name == "podcast":
        # duration and segment exclude each other: with segment turned on, duration goes.
        text = re.sub(r'(?m)^duration: "TODO"\n', "", text)
    assert set(yaml.safe_load(text)) >= set(kind.fields) - {"duration"}
    path.write_text(fill_yaml(text, kind), encoding="utf-8")
    result = project.kb("validate")
    assert result.returncode == 0, result.stderr + path.read_text()


def test_new_paper_appends_to_the_bibliography_and_validates(project):
    kind = entry_types()["paper"]
    first = project.kb("new", "paper", "doe2024first")
    assert first.returncode == 0, first.stderr
    second = project.kb("new", "paper", "doe2024second")
    assert second.returncode == 0, second.stderr
    bib = project.root / "bibliography" / "contributions.bib"
    text = bib.read_text(encoding="utf-8")
    assert text.count("@TODO{") == 2 and "@TODO{doe2024first," in text and "@TODO{doe2024second," in text
    for name in kind.fields:
        assert name == "entrytype" or re.search(rf"\b{name} = ", text), f"{name} missing from the skeleton"

    unfilled = project.kb("validate")
    assert unfilled.returncode == 1
    flagged = [(m["line"], m["field"]) for m in PLACEHOLDER_FINDING.finditer(unfilled.stderr)]
    assert {f for _, f in flagged} >= {"entrytype", "title", "year", "summary", "author[0]"}, unfilled.stderr

    bib.write_text(fill_bibtex(text, kind), encoding="utf-8")
    result = project.kb("validate")
    assert result.returncode == 0, result.stderr + bib.read_text()

    # Into another file of the bibliography, if asked.
    other = project.kb("new", "paper", "doe2024third", "--file", "reports.bib")
    assert other.returncode == 0, other.stderr
    assert "@TODO{doe2024third," in (project.root / "bibliography" / "reports.bib").read_text()


def test_every_type_filled_builds_the_site(project):
    """The filled skeletons are not only valid: the strict site build takes them."""
    for type_name in TYPES:
        assert project.kb("new", type_name, f"new-{type_name}").returncode == 0
    for type_name in YAML_TYPES:
        kind = entry_types()[type_name]
        path = project.root / "content" / kind.folder / f"new-{type_name}.yaml"
        path.write_text(fill_yaml(path.read_text(encoding="utf-8"), kind), encoding="utf-8")
    bib = project.root / "bibliography" / "contributions.bib"
    bib.write_text(fill_bibtex(bib.read_text(encoding="utf-8"), entry_types()["paper"]), encoding="utf-8")
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr
    for type_name in TYPES:
        kind = entry_types()[type_name]
        assert (project.root / "site" / kind.url / f"new-{type_name}" / "index.html").is_file(), type_name


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ("glossary", "Open Weights"),
            "id 'Open Weights' is not a slug: use lower-case letters and digits separated by single hyphens (such as 'open-weights')",
        ),
        (("glossary", "café"), "is not a slug"),
        (("glossary", "../escape"), "is not a slug"),
        (("glossary", "a--b"), "is not a slug"),
        (("glossary", "open-weights"), "id 'open-weights' is taken by content/glossary/open-weights.yaml"),
        (("podcast", "osaid"), "id 'osaid' is taken by content/glossary/osaid.yaml"),
        (("dataset", "widder2024why"), "id 'widder2024why' is taken by bibliography/works.bib"),
        (("paper", "moshi"), "id 'moshi' is taken by content/podcasts/moshi.yaml"),
        (("frobnicator", "x"), "invalid choice: 'frobnicator'"),
        (("paper", "doe2024", "--file", "../outside.bib"), "--file must name a .bib file in bibliography/"),
        (("paper", "doe2024", "--file", "notes.txt"), "--file must be a slug ending in .bib"),
    ],
)
def test_new_refuses_bad_or_taken_ids(project, args, fragment):
    before = project.snapshot("content"), project.snapshot("bibliography")
    result = project.kb("new", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert (project.snapshot("content"), project.snapshot("bibliography")) == before
    assert not (project.root / "outside.bib").exists()


def test_new_refuses_an_id_kept_by_redirect_from_and_a_stray_file(project):
    text = (project.root / "content/glossary/osaid.yaml").read_text()
    project.write("content/glossary/osaid.yaml", text + "redirect_from: [old-osaid]\n")
    result = project.kb("new", "topic", "old-osaid")
    assert result.returncode == 2 and "redirect_from of 'osaid'" in result.stderr, result.stderr
    project.write("content/glossary/half-written.yaml", "title: [\n")  # unreadable, but its name is taken
    result = project.kb("new", "topic", "half-written")
    assert result.returncode == 2 and "content/glossary/half-written.yaml" in result.stderr, result.stderr


def test_new_print_writes_nothing(project):
    before = project.snapshot("content")
    result = project.kb("new", "podcast", "printed-only", "--print")
    assert result.returncode == 0
    assert result.stdout.startswith("# yaml-language-server: $schema=")
    assert 'title: "TODO"' in result.stdout
    assert project.snapshot("content") == before


def test_modeline_in_the_repository_is_relative(tmp_path):
    """In the real repository layout the modeline is the short relative path the content uses."""
    from knowledgebase.tools.scaffold import schema_path, yaml_skeleton

    kind = entry_types()["podcast"]
    root = schema_path(kind).parents[3]  # .../scripts/knowledgebase/schemas/x.json -> the repository
    text = yaml_skeleton(kind, "x", root / "content" / "podcasts" / "x.yaml")
    assert text.startswith("# yaml-language-server: $schema=../../scripts/knowledgebase/schemas/podcast.schema.json\n")


def test_descriptions_come_from_the_schema():
    from knowledgebase.tools.scaffold import yaml_skeleton

    for type_name in YAML_TYPES:
        kind = entry_types()[type_name]
        text = " ".join(line[2:] for line in yaml_skeleton(kind, "x").splitlines() if line.startswith("# "))
        for name, raw in kind.schema["properties"].items():
            schema, _ = resolve(raw, kind.schema)
            description = raw.get("description") or schema.get("description")
            if description:
                assert " ".join(description.split()) in " ".join(text.split()), (type_name, name)
