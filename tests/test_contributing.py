"""The contributor's side of the repository: CONTRIBUTING.md's examples, the workflows, the issue
forms, the pull-request template, CODEOWNERS and the pre-commit hooks.

The examples in CONTRIBUTING.md are copied into the real knowledge base and validated and built,
so the documentation cannot rot; every command a workflow or hook runs must exist.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kbtest import BIN, GIT_IDENTITY, ROOT, Project, git
from knowledgebase.model.schema import entry_types
from knowledgebase.pipeline import load
from knowledgebase.settings import Settings

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")
EXAMPLE = re.compile(r"^```(?P<lang>\w+) title=\"(?P<path>[^\"]+)\"\n(?P<body>.*?)^```$", re.M | re.S)


def examples() -> list[tuple[str, str, str]]:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return [(m["lang"], m["path"], m["body"]) for m in EXAMPLE.finditer(text)]


def load_yaml(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on:` as true
        data["on"] = data.pop(True)
    return data


def run_lines(workflow: dict) -> list[str]:
    """Every shell line the workflow runs, continuation lines joined."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run", "").replace("\\\n", " ")
            lines += [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    return lines


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))


def assert_command_exists(command: str, project: Project) -> None:
    """``kb SUB --opt`` must be a real subcommand with real options; ``make X`` a real target."""
    words = shlex.split(command.split(">")[0].split("|")[0])
    if words[0] == "make":
        assert set(words[1:]) <= makefile_targets(), command
    elif words[0] == "kb":
        help_text = project.kb(words[1], "--help")
        assert help_text.returncode == 0, f"{command}: no such kb command"
        for option in (w.split("=")[0] for w in words[2:] if w.startswith("--")):
            assert option in help_text.stdout, f"{command}: kb {words[1]} has no option {option}"


# --- CONTRIBUTING.md -------------------------------------------------------------------------------


def test_contributing_has_an_example_of_every_type():
    paths = [path for _, path, _ in examples()]
    for name, kind in entry_types().items():
        prefix = "bibliography/" if kind.is_bibtex else f"content/{kind.folder}/"
        assert any(p.startswith(prefix) for p in paths), f"CONTRIBUTING.md has no example of a {name}"


@pytest.mark.quick
def test_contributing_type_table_is_the_schemas():
    """The table of types lists every type the schemas define, in the site's order, with its file."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## The types of entry", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\| `([a-z-]+)` \| `([^`]+)` \| [^|]+ \|$", section, re.M)
    wanted = [(n, "bibliography/*.bib" if k.is_bibtex else f"content/{k.folder}/ID.yaml") for n, k in entry_types().items()]
    missing = "\n".join(
        f"| `{n}` | `{f}` | {entry_types()[n].schema.get('description', '')} |" for n, f in wanted if (n, f) not in rows
    )
    assert rows == wanted, f"CONTRIBUTING.md's table of types differs from the schemas; rows for the new types:\n{missing}"


def test_contributing_examples_validate_and_build(tmp_path):
    """Every example, added to a copy of the real knowledge base, validates and builds."""
    root = tmp_path / "kb"
    for folder in ("content", "bibliography", "overrides"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "build" / "docs").mkdir(parents=True)
    project = Project(root)
    written = []
    for lang, path, body in examples():
        target = root / path
        assert not target.exists() or lang == "bibtex", f"the example {path} would overwrite a real entry"
        if lang == "yaml":
            kind = next(k for k in entry_types().values() if f"content/{k.folder}/" in path)
            assert body.startswith(
                f"# yaml-language-server: $schema=../../scripts/knowledgebase/schemas/{kind.name}.schema.json\n"
            )
            target.write_text(body, encoding="utf-8")
        else:
            assert lang == "bibtex" and path.startswith("bibliography/") and path.endswith(".bib")
            existing = target.read_text(encoding="utf-8") if target.exists() else ""
            target.write_text(existing + "\n" + body, encoding="utf-8")
        written.append(path)
    result = project.kb("validate")
    assert result.returncode == 0, result.stderr
    build = project.mkdocs_build()
    assert build.returncode == 0, build.stderr
    kinds = {k.folder: k for k in entry_types().values()}
    for path in written:
        if path.startswith("content/"):
            folder, name = path.split("/")[1], Path(path).stem
            assert (root / "site" / kinds[folder].url / name / "index.html").is_file(), path
    assert (root / "site" / "papers" / "example2024openness" / "index.html").is_file()


def test_contributing_commands_exist(project):
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"`((?:kb|make) [a-z][^`]*)`", text))
    commands |= {line.split("#")[0].strip() for line in re.findall(r"^(?:kb|make) .*$", text, re.M)}
    assert {"kb validate", "make serve", "make test"} <= {c.split(" (")[0] for c in commands}
    for command in sorted(commands):
        command = re.sub(r"\b(TYPE|ID|KEY|NAME)\b", "x", command)
        assert_command_exists(command.replace("[", "").replace("]", ""), project)


def test_contributing_error_example_is_what_kb_prints(project):
    """The sample output in CONTRIBUTING.md is real output of `kb validate`."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    sample = re.search(r"```text\n(.*?)```", text, re.S).group(1)
    podcast = next(body for _, path, body in examples() if path.startswith("content/podcasts/"))
    # The podcast example with the two mistakes of the sample.
    mistaken = podcast.replace("format: podcast-video", "format: vidoe").replace(
        "sources: [reading-list]", "sources: [reading-lst]"
    )
    assert mistaken.count("vidoe") == 1 and mistaken.count("reading-lst") == 1
    project.write("content/podcasts/my-episode.yaml", mistaken)
    result = project.kb("validate")
    for line in sample.strip().splitlines():
        assert line in result.stderr, f"{line!r} not in:\n{result.stderr}"


# --- workflows ----------------------------------------------------------------------------------------


def test_workflows_are_well_formed():
    assert {p.name for p in WORKFLOWS} >= {"pr.yml", "deploy.yml", "linkcheck.yml"}
    for path in WORKFLOWS:
        workflow = load_yaml(path)
        assert workflow.get("name") and workflow.get("on") and workflow.get("jobs"), path.name
        assert "pull_request_target" not in workflow["on"], f"{path.name}: never run untrusted code with secrets"
        assert "permissions" in workflow, f"{path.name}: say which permissions the token gets"
        for name, job in workflow["jobs"].items():
            assert job.get("runs-on"), f"{path.name}: job {name} has no runs-on"
            for step in job.get("steps", []):
                assert ("uses" in step) != ("run" in step), f"{path.name}: {step}"
                if "uses" in step:
                    # owner/repository, maybe a sub-action (actions/cache/restore), at a version
                    assert re.match(r"^[\w.-]+/[\w.-]+(/[\w.-]+)*@(v\d+|[0-9a-f]{40})$", step["uses"]), step["uses"]


def test_pull_request_workflow(project):
    workflow = load_yaml(GITHUB / "workflows" / "pr.yml")
    assert "pull_request" in workflow["on"]
    lines = run_lines(workflow)
    for wanted in ("kb validate --format github", "mkdocs build --strict", "make test"):
        assert wanted in lines, wanted
    diff = next(line for line in lines if line.startswith("kb diff"))
    assert '>> "$GITHUB_STEP_SUMMARY"' in diff
    job = next(j for j in workflow["jobs"].values() if any("kb diff" in s.get("run", "") for s in j["steps"]))
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "kb diff needs the base branch's history"
    assert workflow["permissions"] == {"contents": "read"}
    for line in lines:
        if line.startswith(("kb ", "make ")):
            assert_command_exists(line.replace('"origin/$BASE_REF"', "origin/main"), project)
    # The build starts from the folder the deployment keeps (citeproc's references), read-only.
    steps = job["steps"]
    restore = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore@"))
    build = next(s for s in steps if s.get("run") == "mkdocs build --strict")
    assert steps.index(restore) < steps.index(build)
    deploy = load_yaml(GITHUB / "workflows" / "deploy.yml")
    saved = next(s for j in deploy["jobs"].values() for s in j["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert restore["with"]["path"] == saved["with"]["path"]
    assert saved["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert not any(s.get("uses", "").startswith("actions/cache@") for j in workflow["jobs"].values() for s in j["steps"])


def test_deploy_workflow(project):
    workflow = load_yaml(GITHUB / "workflows" / "deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    steps = [s for j in workflow["jobs"].values() for s in j["steps"]]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "every entry's dates come from the history of its source"
    # The site is built by the script `make site` runs, with the address GitHub Pages gives it.
    build = next(s for s in steps if s.get("run") == "scripts/build-site.sh")
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    assert steps.index(pages) < steps.index(build)
    assert build["env"]["KB_SITE_URL"] == "${{ steps." + pages["id"] + ".outputs.base_url }}"
    assert build["env"]["KB_REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    assert "scripts/build-site.sh" in (ROOT / "Makefile").read_text()
    # The build's folder is kept between deployments (citeproc's references); it is the docs_dir.
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert steps.index(cache) < steps.index(build)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(rf"^docs_dir: {re.escape(cache['with']['path'])}$", config, re.MULTILINE)
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    for line in run_lines(workflow):
        if line.startswith(("kb ", "make ")):
            assert_command_exists(line, project)


#: The current major version of every action the workflows use (looked up in each action's
#: repository: the first majors to run on Node 24, or later, as Node 20 leaves the runners).
CURRENT_ACTIONS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
    "actions/cache": 5,
}


def test_every_action_is_on_its_current_major_and_dependabot_keeps_it_there():
    for path in sorted((GITHUB / "workflows").glob("*.yml")):
        for job in load_yaml(path)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    name, _, version = step["uses"].partition("@")
                    name = "/".join(name.split("/")[:2])  # a sub-action has its repository's versions
                    assert name in CURRENT_ACTIONS, f"{path.name}: {name} is not known here; look up its current major"
                    assert version == f"v{CURRENT_ACTIONS[name]}", f"{path.name}: {step['uses']}"
    dependabot = load_yaml(GITHUB / "dependabot.yml")
    assert dependabot["version"] == 2
    ecosystems = {u["package-ecosystem"]: u for u in dependabot["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    assert all(u["directory"] == "/" and u["schedule"]["interval"] for u in ecosystems.values())


def test_linkcheck_workflow(project):
    workflow = load_yaml(GITHUB / "workflows" / "linkcheck.yml")
    (cron,) = [s["cron"] for s in workflow["on"]["schedule"]]
    assert len(cron.split()) == 5
    assert workflow["permissions"]["issues"] == "write"
    lines = run_lines(workflow)
    check = next(line for line in lines if line.startswith("kb linkcheck"))
    assert "--format markdown" in check
    assert_command_exists(check, project)
    assert any(line.startswith("gh issue create") for line in lines)


# --- issue forms, template, owners, hooks ---------------------------------------------------------------


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_issue_forms(path):
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert form["name"] and form["description"] and isinstance(form["body"], list)
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    for item in form["body"]:
        assert item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        if item["type"] == "markdown":
            assert item["attributes"]["value"]
        else:
            assert item["attributes"]["label"] and re.match(r"^[a-z][a-z0-9_-]*$", item["id"])
        if item["type"] == "dropdown":
            assert item["attributes"]["options"]


def test_report_error_form_asks_for_entry_problem_and_evidence():
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "report-error.yml").read_text())
    required = {item["id"] for item in form["body"] if item.get("validations", {}).get("required")}
    assert {"entry", "problem", "evidence"} <= required


def test_suggest_resource_form_offers_the_types():
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "suggest-resource.yml").read_text())
    options = " ".join(next(i for i in form["body"] if i.get("id") == "type")["attributes"]["options"]).lower()
    for name, kind in entry_types().items():
        if name not in ("stakeholder", "source"):
            assert kind.singular.lower().split(" or ")[0] in options, name


def test_pull_request_template():
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text()
    for wanted in ("kb validate", "make serve", "own words", "provenance: ai-generated", "n.d."):
        assert wanted in text, wanted
    assert text.count("- [ ]") >= 4


def test_codeowners_names_no_owner_that_may_not_exist():
    # An owner GitHub does not know makes the rule an error; until the repository has real teams
    # the rules are a commented template, with instructions, that covers the sources and the code.
    text = (GITHUB / "CODEOWNERS").read_text()
    active = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert active == [], active
    template = {}
    for line in text.splitlines():
        match = re.match(r"^# (\S+)\s+(@\S+)$", line)
        if match:
            template[match.group(1)] = match.group(2)
    assert {"/content/", "/bibliography/", "/.github/", "/scripts/"} <= set(template)
    assert all(o.startswith("@OWNER/") for o in template.values()), template
    assert "remove the leading #" in text


def test_pre_commit_hooks_run_kb_validate(project):
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    hook = hooks["kb-validate"]
    assert hook["entry"] == "kb validate" and hook["pass_filenames"] is False and hook["language"] == "system"
    assert re.search(hook["files"], "content/podcasts/moshi.yaml") and re.search(hook["files"], "bibliography/works.bib")
    published = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (mine,) = [h for h in published if h["id"] == "kb-validate"]
    assert mine["entry"] == "kb validate" and mine["language"] == "python"
    # What the hook runs: passes on good sources, stops the commit on bad ones.
    args = shlex.split(hook["entry"])
    assert project.run(*args).returncode == 0
    project.write("content/glossary/broken.yaml", "title: [\n")
    failed = project.run(*args)
    assert failed.returncode == 1 and "content/glossary/broken.yaml" in failed.stderr


# --- the walk-through: every command a contributor is told to type, on a fork of this repository ----

SHELL_BLOCK = re.compile(r"^```sh\n(?P<body>.*?)^```$", re.M | re.S)
CONTRIBUTOR_DOCS = [ROOT / "CONTRIBUTING.md", GITHUB / "PULL_REQUEST_TEMPLATE.md", *FORMS]
#: Ids the walk-through creates, which the documentation uses as the contributor's own example.
WALK_THROUGH_IDS = {"my-episode", "newpaper2024test"}


def shell_blocks() -> list[list[str]]:
    """The lines of every ```sh block of CONTRIBUTING.md, trailing comments removed."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    blocks = [[re.sub(r"\s{2,}#.*$", "", line) for line in m["body"].splitlines()] for m in SHELL_BLOCK.finditer(text)]
    return [[line for line in block if line.strip()] for block in blocks]


def make_fork(tmp_path: Path) -> Path:
    """A bare repository holding this one's tracked files (as they are in the working tree): the fork."""
    if subprocess.run(["git", "rev-parse"], cwd=ROOT, capture_output=True).returncode != 0:
        pytest.skip("the repository is not a git checkout")
    upstream = tmp_path / "upstream"
    tracked = git(ROOT, "ls-files", "-z").split("\0")
    for rel in filter(None, tracked):
        source = ROOT / rel
        if source.is_file() and not source.is_symlink():
            (upstream / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, upstream / rel)
    git(upstream, "init", "--quiet", "--initial-branch=main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "--quiet", "-m", "upstream")
    fork = tmp_path / "YOUR-FORK.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(upstream), str(fork))
    return fork


def fill_in(clone: Path) -> None:
    """What the contributor does by hand between `kb new` and `kb validate`: fill in the podcast,
    and, as a paper cited by it, a new BibTeX entry (which `kb new paper` puts in a new file)."""
    podcast = next(body for _, path, body in examples() if path.startswith("content/podcasts/"))
    podcast = podcast.replace("sources: [reading-list]", "sources: [reading-list, newpaper2024test]")
    (clone / "content/podcasts/my-episode.yaml").write_text(podcast, encoding="utf-8")
    new_paper = subprocess.run([str(BIN / "kb"), "new", "paper", "newpaper2024test"], cwd=clone, capture_output=True, text=True)
    assert new_paper.returncode == 0, new_paper.stderr
    bib = clone / "bibliography/contributions.bib"
    text = bib.read_text(encoding="utf-8").replace("@TODO{", "@misc{")
    for field, value in (
        ("title", "A New Paper"),
        ("year", "2024"),
        ("summary", "A paper, in our own words."),
        ("author", "Example, Alex"),
    ):
        text = text.replace(f"{field} = {{TODO}}", f"{field} = {{{value}}}")
    bib.write_text(text, encoding="utf-8")


def test_contributing_walk_through(tmp_path):
    """Every shell command of CONTRIBUTING.md, in order, on a fork: clone, preview, `kb new`, validate,
    commit and push; then a fresh clone of the pushed branch has every file and validates.

    `make` targets are dry-run (`make -n`): `make serve` runs until stopped (tests/browser/
    test_preview.py serves a copy) and `make check` is these tests; the rest runs as written, with
    the fork's path for its GitHub address and the test's virtual environment as `.venv`.
    """
    fork = make_fork(tmp_path)
    env = {**os.environ, **GIT_IDENTITY, "NO_MKDOCS_2_WARNING": ""}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if Path(p) != BIN)
    cwd, prelude, outputs = tmp_path, ["set -e"], []
    blocks = shell_blocks()
    assert len(blocks) == 3, blocks
    for number, block in enumerate(blocks):
        lines = []
        for line in block:
            line = line.replace("https://github.com/YOUR-NAME/YOUR-FORK.git", fork.as_uri())
            line = re.sub(r"^make (\w+)", r"make -n \1", line)
            if line == ". .venv/bin/activate":
                if not (cwd / ".venv").exists():
                    (cwd / ".venv").symlink_to(BIN.parent, target_is_directory=True)
                prelude.append(line)  # the same terminal for what follows
            lines.append(line)
        script = "\n".join([*prelude, *lines, 'echo "__CWD__$(pwd)"'])
        result = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"block {number + 1} failed:\n{script}\n{output}"
        assert "Traceback" not in output and "end of life" not in output, output
        cwd = Path(re.search(r"^__CWD__(.*)$", result.stdout, re.M).group(1))
        outputs.append(output)
        if number == 1:
            assert "wrote content/podcasts/my-episode.yaml" in output
            fill_in(cwd)
    # `kb validate` before `git add`: it passed, and it warned that git does not track the new files.
    for rel in ("content/podcasts/my-episode.yaml", "bibliography/contributions.bib"):
        assert f"{rel}:1:1: warning: not tracked by git" in outputs[2], outputs[2]
    # The pushed branch, cloned afresh: every file `kb new` made is there, and it validates.
    fresh = tmp_path / "fresh"
    git(tmp_path, "clone", "--quiet", "--branch", "add-my-episode", str(fork), str(fresh))
    bib = fresh / "bibliography/contributions.bib"
    for made in (fresh / "content/podcasts/my-episode.yaml", bib):
        assert made.is_file(), f"the pushed branch lacks {made.relative_to(fresh)}: the documented commit left it out"
    assert "@misc{newpaper2024test," in bib.read_text(encoding="utf-8")
    check = subprocess.run([str(BIN / "kb"), "validate"], cwd=fresh / "content" / "podcasts", capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "warning" not in check.stderr and f"kb: using the project in {fresh}" in check.stderr
    assert check.stdout.strip().endswith("entries, no errors")


def test_addresses_in_contributor_docs_exist():
    """Every page address (/podcasts/ID/) and entry file shown in CONTRIBUTING.md and the issue and
    pull-request templates is one of the real knowledge base, or one the walk-through makes."""
    loaded = load(Settings.from_mkdocs_yml(ROOT / "mkdocs.yml"))
    sections = {kind.url: name for name, kind in entry_types().items()}
    folders = {kind.folder for kind in entry_types().values()}
    examples_shown = {path for _, path, _ in examples()}
    checked = 0
    for doc in CONTRIBUTOR_DOCS:
        text = doc.read_text(encoding="utf-8")
        for section, entry_id in re.findall(r"(?<![\w.])/([a-z]+)/([a-z0-9][a-z0-9-]*)/", text):
            if section not in sections or entry_id in WALK_THROUGH_IDS:
                continue
            entry = loaded.graph.entries.get(entry_id)
            assert entry is not None and entry.type == sections[section], f"{doc.name}: /{section}/{entry_id}/ is not a page"
            checked += 1
        for path in re.findall(r"\bcontent/([a-z]+)/([a-z0-9-]+)\.yaml\b", text):
            rel = f"content/{path[0]}/{path[1]}.yaml"
            if rel in examples_shown or path[1] in WALK_THROUGH_IDS or path[0] not in folders:
                continue
            assert (ROOT / rel).is_file(), f"{doc.name}: {rel} does not exist"
            checked += 1
    assert checked >= 4, "the documentation shows real pages: the test must see them"


@pytest.mark.parametrize("doc", [GITHUB / "PULL_REQUEST_TEMPLATE.md", *FORMS], ids=lambda p: p.name)
def test_template_commands_exist(doc, project):
    text = doc.read_text(encoding="utf-8")
    commands = set(re.findall(r"`((?:kb|make) [a-z][^`]*)`", text))
    for command in sorted(commands):
        assert_command_exists(re.sub(r"\b(TYPE|ID|KEY|NAME)\b", "x", command), project)
