"""README's "Layout" table and the code agree, and every module of the engine is one short job.

A reader finds the pipeline in README.md's table: every package under scripts/knowledgebase/ is
named there, and every folder and file the table names exists. Each module opens with a
docstring saying its job, stays short enough to read whole, and imports only the stages before
its own. The tests share helpers through kbtest.py and fixtures through conftest.py, never by
importing one another.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kbtest import ROOT

pytestmark = pytest.mark.quick

PACKAGE = ROOT / "scripts" / "knowledgebase"
TESTS = ROOT / "tests"
#: About the most a module may hold and still be read whole (issue 15).
MAX_LINES = 400
#: Modules still over MAX_LINES while they are being split (issue 15), and why they may be for now.
#: Remove a module from here once it is split: the test then holds it to the limit.
STILL_OVER: dict[str, str] = {}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layout_table() -> list[list[str]]:
    """The rows of README.md's "Layout" table, as cells."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Layout\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, 'README.md has no "## Layout" section'
    rows = [line for line in section.group(1).splitlines() if line.startswith("|")]
    assert len(rows) > 2, "the Layout section has no table"
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]  # after the header and |---|


def named_in_table() -> list[str]:
    """Every folder and file the table names, relative to scripts/knowledgebase/ (``sources/``, ``pipeline.py``)."""
    return [name for row in layout_table() for name in re.findall(r"`([^`]+)`", row[1])]


def test_every_name_in_the_layout_table_exists():
    names = named_in_table()
    assert names, "the Layout table names no folder or file"
    for name in names:
        if any(char in name for char in "*?["):
            assert list(PACKAGE.glob(name)), f"README's Layout table names {name}: nothing under {PACKAGE} matches"
        elif name.endswith("/"):
            assert (PACKAGE / name).is_dir(), f"README's Layout table names the folder {name}: no such folder"
        else:
            assert (PACKAGE / name).is_file(), f"README's Layout table names {name}: no such file"


def test_every_package_and_top_level_module_is_in_the_layout_table():
    names = set(named_in_table())
    packages = [p.parent for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE]
    for package in packages:
        rel = package.relative_to(PACKAGE).as_posix() + "/"
        # A sub-package (render/templates/) may be described by the row of the folder it is in.
        assert rel in names or any(rel.startswith(n) for n in names if n.endswith("/")), (
            f"scripts/knowledgebase/{rel} is not in README's Layout table: add it to the row of its stage"
        )
    for module in PACKAGE.glob("*.py"):
        if not module.name.startswith("__"):
            assert module.name in names, f"scripts/knowledgebase/{module.name} is not in README's Layout table"


#: A file named in a description (``files.py``, ``model/xkb.py``, ``generic.md.j2``), not a setting (``templates_dir``).
FILE_NAME = re.compile(r"[\w./*-]+\.(?:py|j2|json)")


def test_every_file_the_layout_table_describes_exists():
    """The descriptions name files too: each is in a folder of its row (or given from scripts/knowledgebase/)."""
    for row in layout_table():
        folders = [PACKAGE] + [PACKAGE / name.split("*")[0] for name in re.findall(r"`([^`]+)`", row[1]) if "/" in name]
        for name in re.findall(r"`([^`]+)`", row[2]):
            if FILE_NAME.fullmatch(name):
                assert any(list(folder.glob(name)) for folder in folders), (
                    f"README's Layout table describes {name} in the row of {row[1]}: no such file there"
                )


#: The stages in the order data flows through them (README's Layout table): a module imports only
#: its own stage, the stages before it and the shared modules, never a later stage.
STAGES = ("sources", "model", "graph", "cite", "render", "publish", "pipeline", "serve", "plugin", "tools")
#: Imports against the flow that are known, with why; each is due to be turned round (issue 15).
BACKWARD = {
    "sources/bibtex.py": "imports model.entry's SourceFile, the record of where a source was read",
    "sources/raw.py": "imports model.entry's SourceFile, the record of where a source was read",
    "sources/reader.py": "imports model.entry's SourceFile, and model.schema's entry types for the folders to read",
    "sources/yaml.py": "imports model.entry's SourceFile and FieldPath",
    "render/archive.py": "imports pipeline.load for kb linkcheck's archived copies (archive.fixes), a tool's job",
}


def stage_of(name: str) -> str | None:
    """The stage of ``knowledgebase.<stage>...`` (or ``tools/x.py``), None for the shared modules."""
    first = name.removeprefix("knowledgebase.").replace("/", ".").split(".")[0].removesuffix(".py")
    return first if first in STAGES else None


def _flow_cases() -> list:
    cases = []
    for module in modules():
        rel = module.relative_to(PACKAGE).as_posix()
        if stage_of(rel) is not None:
            marks = [pytest.mark.xfail(reason=BACKWARD[rel], strict=False)] if rel in BACKWARD else []
            cases.append(pytest.param(module, id=rel, marks=marks))
    return cases


@pytest.mark.parametrize("module", _flow_cases())
def test_every_module_imports_only_the_stages_before_its_own(module: Path):
    rel = module.relative_to(PACKAGE).as_posix()
    own = STAGES.index(stage_of(rel))
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("knowledgebase"):
            names = [node.module] if node.module != "knowledgebase" else [f"knowledgebase.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.startswith("knowledgebase")]
        else:
            continue
        for name in names:
            stage = stage_of(name)
            assert stage is None or STAGES.index(stage) <= own, (
                f"{module.relative_to(ROOT)} (stage {STAGES[own]}) imports {name}, of the later stage {stage}: "
                "data flows one way; move the code to the stage that needs it, or pass the data in"
            )


@pytest.mark.parametrize("module", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_every_module_opens_with_a_docstring(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree)
    assert docstring and docstring.strip(), f"{module.relative_to(ROOT)} does not open with a docstring saying its job"


def _size_cases() -> list:
    cases = []
    for module in modules():
        rel = module.relative_to(PACKAGE).as_posix()
        marks = [pytest.mark.xfail(reason=STILL_OVER[rel], strict=False)] if rel in STILL_OVER else []
        cases.append(pytest.param(module, id=rel, marks=marks))
    return cases


@pytest.mark.parametrize("module", _size_cases())
def test_every_module_is_short_enough_to_read_whole(module: Path):
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.relative_to(ROOT)} has {lines} lines, more than {MAX_LINES}: split it by job"


# --- the tests themselves: helpers in kbtest.py, fixtures in conftest.py ----------------------------


def python_in_tests() -> list[Path]:
    """Every Python file under tests/."""
    return sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts)


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``path``, relative imports made absolute within tests/."""
    found = []
    package = path.parent.relative_to(TESTS).parts
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            if node.module is None:  # from . import checks
                found.extend((f"{module}.{alias.name}".lstrip("."), []) for alias in node.names)
            else:
                found.append((module, [alias.name for alias in node.names]))
    return found


@pytest.mark.parametrize("path", python_in_tests(), ids=lambda p: p.relative_to(TESTS).as_posix())
def test_tests_share_helpers_through_kbtest_not_through_each_other(path: Path):
    own = {p.relative_to(TESTS).with_suffix("").as_posix().replace("/", ".") for p in python_in_tests()}
    for module, names in imports(path):
        private = [name for name in names if name.startswith("_") and not name.startswith("__")]
        assert not private, f"{path.relative_to(ROOT)} imports {private} from {module}: a name other files use is public"
        if module not in own and module.split(".")[0] != "tests":
            continue  # the standard library, the project, other packages
        last = module.split(".")[-1]
        assert not last.startswith("test_"), (
            f"{path.relative_to(ROOT)} imports the test module {module}: move what it shares to kbtest.py"
        )
        assert last != "conftest", f"{path.relative_to(ROOT)} imports {module}: fixtures come by name, helpers from kbtest.py"
