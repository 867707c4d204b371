"""Bad sources: every mistake is reported as path:line:col: error: message, all in one run."""

from __future__ import annotations

import pytest

from kbtest import findings, printed, validate

# Part of `make check`, the contributor's quick check (see the Makefile).
pytestmark = pytest.mark.quick


def assert_one(project, path: str, line: int, fragment: str, col: int | None = None) -> None:
    """``kb validate`` finds the mistake at ``path:line`` (and ``col``): checked in this process."""
    output = printed(validate(project.root))
    found = [e for e in findings(output) if e[0] == path and e[1] == line and fragment in e[3]]
    assert found, f"expected {path}:{line}: ...{fragment}... in:\n{output}"
    if col is not None:
        assert found[0][2] == col, found


def test_clean_sources_exit_zero(project):
    result = project.kb("validate")
    assert result.returncode == 0, result.stderr
    assert "22 entries, no errors" in result.stdout


PODCAST = "content/podcasts/moshi.yaml"


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "fragment"),
    [
        ("show: Last Week in AI", "shw: Last Week in AI", 2, 1, "unknown field 'shw' (did you mean 'show'?)"),
        (
            "format: video",
            "format: vidoe",
            7,
            9,
            "'vidoe' is not allowed; use one of: podcast, video, podcast-video (did you mean 'video'?)",
        ),
        ('date: "2024-07-07"', 'date: "2024-02-30"', 5, 7, "must be a real ISO 8601 date"),
        ('date: "2024-07-07"', "date: 7 July 2024", 5, 7, "must be a real ISO 8601 date"),
        ('end: "1:04:07"', 'end: "1:4:7"', 6, 34, "H:MM:SS or M:SS"),
        (
            "url: https://www.youtube.com/watch?v=gZGrA52A834",
            "url: javascript:alert(1)",
            8,
            6,
            "must be an absolute http:// or https:// URL",
        ),
        ("hosts: [Andrey Kurenkov, Jeremie Harris]", "hosts: Andrey Kurenkov", 4, 8, "'hosts' must be a list, not text"),
        ("summary: A segment on an open voice model.\n", "", 1, 1, "missing required field 'summary'"),
        ("sources: [reading-list]", "sources: [reading-lst]", 10, 11, "unknown id 'reading-lst' (did you mean 'reading-list'?)"),
        # uniqueItems, which the compiled check tests with a set (model/schema.py, _unique_strings)
        (
            "sources: [reading-list]",
            "sources: [reading-list, reading-list]",
            10,
            10,
            "'sources' lists the same item more than once",
        ),
        ("stakeholders: [developers]", "stakeholders: [developers, developers]", 11, 15, "lists the same item more than once"),
        (
            "stakeholders: [developers]",
            "stakeholders: [meta]",
            11,
            16,
            "'meta' is a organisation, but a stakeholder is expected here",
        ),
        (
            "summary: A segment on an open voice model.",
            "summary: See [[no-such-entry]] here.",
            9,
            14,
            "unknown id 'no-such-entry'",
        ),
        ("summary: A segment on an open voice model.", "summary: As [@nobody2024, p. 3] says.", 9, 13, "unknown id 'nobody2024'"),
        (
            "summary: A segment on an open voice model.",
            "summary: Click [here](javascript:alert(1)).",
            9,
            16,
            "only http:// and https:// URLs",
        ),
        (
            "summary: A segment on an open voice model.",
            "summary: Look ![x](https://evil.example/t.png)",
            9,
            15,
            "images are not allowed",
        ),
        ('duration: "12:20"', "", 1, 1, "give either duration"),
    ],
)
def test_schema_and_reference_mistakes(project, old, new, line, col, fragment):
    path = project.root / PODCAST
    text = path.read_text()
    if old.startswith("duration"):
        path = project.root / "content/podcasts/is-open-source-ai-dangerous.yaml"
        text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    rel = path.relative_to(project.root).as_posix()
    assert_one(project, rel, line, fragment, col)


@pytest.mark.parametrize(
    ("content", "line", "col", "fragment"),
    [
        (b"", 1, 1, "file is empty"),
        (b"# only a comment\n", 1, 1, "file holds no entry"),
        (b"\xef\xbb\xbftitle: x\n", 1, 1, "byte-order mark"),
        (b"title: caf\xe9\n", 1, 11, "invalid UTF-8 byte 0xe9"),
        (b"title: x\n\tshort: y\n", 2, 1, "tab character"),
        (b"title: [unclosed\n", 1, 8, "the '[' opened at line 1, column 8 is not closed"),
        (b"- a list\n", 1, 1, "must be a mapping"),
        (b"title: a\ntitle: b\n", 2, 1, "duplicate key 'title' (first given at line 1)"),
        (b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", 1, 4, "anchors and aliases"),
        (b"base: &base {title: x}\n<<: *base\n", 2, 1, "merge keys"),
        (b"title: !!python/object:os.system x\n", 1, 8, "is not allowed"),
        (b"title: x\n" + b"short: " + b"y" * (1024 * 1024 + 1) + b"\n", 1, 1, "file is too large"),
    ],
)
def test_unreadable_files(project, content, line, col, fragment):
    project.write("content/glossary/broken-term.yaml", content)
    assert_one(project, "content/glossary/broken-term.yaml", line, fragment, col)


def test_ids_must_be_slugs_and_unique(project):
    project.write("content/glossary/Bad_Id.yaml", "title: x\nshort: y.\naliases: []\nsources: [explainer]\n")
    project.write("content/datasets/osaid.yaml", "title: x\nsummary: y\nsources: [explainer]\n")
    project.write("bibliography/more.bib", "@misc{widder2024why, title={Dup}, year={2024}, summary={x}}\n")
    output = printed(validate(project.root))  # as kb validate finds them, in this process
    found = findings(output)
    assert any(e[0] == "content/glossary/Bad_Id.yaml" and "must be a slug" in e[3] for e in found), output
    assert any(
        e[0] == "content/glossary/osaid.yaml" and "duplicate id 'osaid'" in e[3] and "content/datasets/osaid.yaml" in e[3]
        for e in found
    ) or any(e[0] == "content/datasets/osaid.yaml" and "duplicate id 'osaid'" in e[3] for e in found), output
    assert any(
        "duplicate id 'widder2024why'" in e[3]
        and {e[0], e[3].split("already used by ")[1].split(":")[0]} == {"bibliography/more.bib", "bibliography/works.bib"}
        for e in found
    ), output


def test_bibtex_mistakes(project):
    project.write(
        "bibliography/broken.bib",
        "@article{good2024,\n  title = {Fine},\n  author = {A, B.},\n  year = {2024},\n  summary = {Ok.},\n}\n\n"
        "@article{dupfield2024,\n  title = {One},\n  title = {Two},\n  year = {2024},\n}\n\n"
        "@article{nosummary2024,\n  title = {T},\n  author = {A, B.},\n  year = {24},\n}\n\n"
        "@misc{unclosed,\n  title = {never closed\n",
    )
    output = printed(validate(project.root))  # as kb validate finds them, in this process
    found = findings(output)
    assert ("bibliography/broken.bib", 8, 1) in [(e[0], e[1], e[2]) for e in found if "more than once" in e[3]], output
    assert any(e[1] == 14 and "missing required field 'summary'" in e[3] for e in found), output
    assert any(e[1] == 17 and "'24' must be a four-digit year" in e[3] for e in found), output
    # Where the unclosed value was opened, not where its entry starts.
    assert ("bibliography/broken.bib", 21, 11) in [(e[0], e[1], e[2]) for e in found if "is never closed" in e[3]], output


def test_every_mistake_in_one_run(project):
    project.write("content/glossary/one.yaml", "title: x\n")
    project.write("content/glossary/two.yaml", "title: [\n")
    project.write("content/datasets/three.yaml", "title: x\nsummary: y\nsources: [nope]\n")
    result = project.kb("validate")
    paths = {e[0] for e in findings(result.stderr)}
    assert {"content/glossary/one.yaml", "content/glossary/two.yaml", "content/datasets/three.yaml"} <= paths
    assert result.stderr.strip().endswith("errors found")


def test_unknown_folder_and_extension(project):
    project.write("content/podcast/x.yaml", "title: x\n")
    project.write("content/glossary/term.yml", "title: x\n")
    output = printed(validate(project.root))  # as kb validate finds them, in this process
    found = findings(output)
    assert any(e[0] == "content/podcast/x.yaml" and "'podcast' is not an entry folder" in e[3] for e in found), output
    assert any(e[0] == "content/glossary/term.yml" and "rename it to .yaml" in e[3] for e in found), output


def test_usage_error_exits_two(project):
    assert project.kb("frobnicate").returncode == 2
    assert project.kb("-f", "missing.yml", "validate").returncode == 2


def test_github_annotations(project):
    project.write("content/glossary/one.yaml", "title: x\n")
    result = project.kb("validate", "--format", "github")
    assert result.returncode == 1
    assert "::error file=content/glossary/one.yaml,line=1,col=1::missing required field 'short'" in result.stdout
