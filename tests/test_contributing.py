"""The contributor's side of the repository: CONTRIBUTING.md's examples, the workflows, the issue
forms, the pull-request template, CODEOWNERS and the pre-commit hooks.

The examples in CONTRIBUTING.md are copied into the real knowledge base and validated and built,
so the documentation cannot rot; every command a workflow or hook runs must exist.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, Project
from knowledgebase.schema import entry_types

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
                    assert re.match(r"^[\w.-]+/[\w.-]+@(v\d+|[0-9a-f]{40})$", step["uses"]), step["uses"]


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
}


def test_every_action_is_on_its_current_major_and_dependabot_keeps_it_there():
    for path in sorted((GITHUB / "workflows").glob("*.yml")):
        for job in load_yaml(path)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    name, _, version = step["uses"].partition("@")
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
