"""The knowledge base itself: coverage of the seeds, sources, inbound links, own words."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from knowledgebase.model.schema import entry_types, match_paths
from knowledgebase.pipeline import load
from knowledgebase.settings import Settings

# Part of `make check`, the contributor's quick check (see the Makefile).
pytestmark = pytest.mark.quick

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def graph():
    loaded = load(Settings.from_mkdocs_yml(ROOT / "mkdocs.yml"))
    assert loaded.ok, "\n".join(map(str, loaded.diagnostics))
    return loaded.graph


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def test_counts_per_type(graph):
    ids = {kind: {e.id for e in graph.by_type(kind)} for kind in entry_types()}
    assert ids["definition"] == {
        "osaid-1-0",
        "open-weight-definition",
        "fsf-free-ml-applications",
        "lf-ai-data-open-source-ai-models",
        "model-openness-framework",
    }
    assert ids["stakeholder"] == {"policymakers", "researchers", "ai-companies", "developers", "civil-society"}
    assert len(ids["podcast"]) == 18  # 13 shorter and 5 longer in the reading list
    per_stakeholder = {}
    for recommendation in graph.by_type("recommendation"):
        per_stakeholder[recommendation.get("stakeholder")] = per_stakeholder.get(recommendation.get("stakeholder"), 0) + 1
    assert per_stakeholder == {"policymakers": 4, "researchers": 2, "ai-companies": 2, "developers": 2, "civil-society": 2}
    assert len(ids["glossary"]) >= 40
    assert len(ids["dataset"]) == 8
    assert {
        "eiras2024risks",
        "gao2024documenting",
        "osborne2024community",
        "quillivic2024commons",
        "shrestha2023building",
        "widder2024why",
        "azoulay2024moats",
        "luna2024debate",
        "roychowdhury2023responsible",
        "aschenbrenner2024lockdown",
        "zuckerberg2024path",
        "cable-black-lessons",
        "dual-use-foundation-models",
        "bommasani-kapoor-considerations",
        "tidelift2024maintainer",
        "pai-risk-mitigation",
        "open-for-business",
        "case-for-public-ai",
    } <= ids["paper"]
    for topic in (
        "ai-and-open-source",
        "ai-and-open-weights",
        "ai-and-open-data",
        "ai-and-open-research",
        "open-washing-problem",
        "public-ai-approach",
        "ai-licences",
        "osi-training-data-classes",
    ):
        assert topic in ids["topic"], topic


def test_every_entry_names_a_source(graph):
    missing = [e.id for e in graph.entries.values() if not e.get("sources")]
    assert not missing


def test_every_entry_has_an_inbound_link(graph):
    linked = {edge.target for edge in graph.edges if edge.source != edge.target}
    orphans = sorted(set(graph.entries) - linked)
    assert not orphans, orphans


def test_ai_generated_overview_is_flagged_wherever_it_is_drawn_on(graph):
    drawing = [e for e in graph.entries.values() if "ai-generated-overview" in e.get("sources", [])]
    assert len(drawing) >= 4
    assert all(e.get("provenance") == "ai-generated" or e.id == "ai-generated-overview" for e in drawing), [
        e.id for e in drawing if e.get("provenance") != "ai-generated"
    ]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


def _own_words_fields(entry) -> list[str]:
    """Every prose and text field, but titles and quotations (which are the source's words)."""
    texts = []
    kind = entry_types()[entry.type]
    for pattern in kind.markdown_paths:
        texts += [text for _path, text in match_paths(entry.data, pattern)]
    for key in ("short", "roles_note"):
        if isinstance(entry.get(key), str):
            texts.append(entry.get(key))
    return texts


def test_no_run_of_twelve_words_copied_from_a_seed(graph, seed_text):
    words = _words(seed_text)
    shingles = {tuple(words[i : i + 12]) for i in range(len(words) - 11)}
    copied = []
    for entry in graph.entries.values():
        for text in _own_words_fields(entry):
            w = _words(re.sub(r"\[\[[^\]]*\]\]|\[@[^\]]*\]", " ", text))
            for i in range(len(w) - 11):
                if tuple(w[i : i + 12]) in shingles:
                    copied.append(f"{entry.id}: {' '.join(w[i : i + 12])}")
                    break
    assert not copied, copied


def _normal(text: str) -> str:
    # The seed's text extraction reads "AI" as "Al" and splits some words; compare loosely.
    return re.sub(r"\s+", " ", text.replace("Al ", "AI ").replace("’", "'")).strip().lower()


def test_podcast_facts_match_the_reading_list(graph, seed_text):
    seed = _normal(seed_text)
    for podcast in graph.by_type("podcast"):
        date = podcast.get("date")
        if len(date) == 7:  # a month: the seed writes "October, 2023"
            month = datetime.date.fromisoformat(date + "-01")
            assert _normal(f"{month:%B}, {month.year}") in seed, (podcast.id, date)
        else:
            day = datetime.date.fromisoformat(date)
            assert _normal(f"{day:%B} {day.day}, {day.year}") in seed, (podcast.id, date)
        if podcast.get("segment"):
            segment = podcast.get("segment")
            assert f"({segment['start']} - {segment['end']})" in seed_text, podcast.id
        else:
            duration = podcast.get("duration")
            assert f"({duration})" in seed_text or f"({duration.replace(':', '.')})" in seed_text, (podcast.id, duration)
        assert podcast.get("show").lower() in seed, podcast.id
        # The URL as the seed gives it, but for spaces the extraction put where '_' stood.
        url = podcast.get("url")
        fragments = re.split(r"[_]", url.split("://", 1)[1])
        assert all(_normal(f) in seed.replace(" ", "") or f.lower() in seed.replace(" ", "") for f in fragments), url


def test_paper_titles_and_years_match_the_seeds(graph, seed_text):
    seed = _normal(seed_text).replace("*", "")
    for paper in graph.by_type("paper"):
        title = _normal(paper.title)
        assert title[:40] in seed, paper.id
        year = paper.get("year")
        if year != "n.d.":
            assert year in seed_text
