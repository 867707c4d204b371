"""Synthetic knowledge bases of any size, valid and shaped like the real one.

``generate(root, n, seed)`` writes ``content/<folder>/<id>.yaml``, ``bibliography/*.bib`` and a
hand-written ``content/pages/index.md`` into ``root``; ``make_project`` adds the repository's own
``mkdocs.yml`` and ``overrides/`` so that ``kb`` and ``mkdocs`` run there as in the real project.
The same ``(n, seed)`` always gives the same bytes.

Proportions and lengths are measured on the real knowledge base (178 entries, November 2026)
and then adjusted for growth (see ``TYPE_SHARES``):

- text lengths, list lengths and link density per field follow the real medians: a glossary
  ``short`` of about 115 characters and a body of about 220 with 2-3 links; a topic body of about
  1,400 characters with a dozen ``[[id]]`` links; paper summaries of about 450 characters, ...
- papers are BibTeX entries in ``.bib`` files whose number and size both grow as the square root of
  the number of papers (3 files for the real knowledge base's 18), so per-file costs show up;
- the five stakeholders stay five: the site is built around five guides, and each guide page
  lists everything relevant to its group.

The glossary is the one share chosen below the real one. It is 34% of the real knowledge base
(61 of 178), but a glossary grows with the vocabulary, not with the number of papers and
podcasts: at 15% an 8,000-entry knowledge base already has 1,200 terms and about 3,150
abbreviations. Every glossary title, alias and abbreviation is a Markdown abbreviation, appended
to each page whose text has the word (``render/tooltips.py``), so the glossary words a page
holds are what the glossary costs. On the real site that is about 8 a page (median 5), whatever
the size of the glossary: prose names a few terms, not more because more terms exist. So here:
glossary titles are made of invented words of their own (``SYLLABLES``), which the rest of the
prose does not use, and prose names a term in one word of ``TERM_RATE``: a page's glossary words
follow its length, not N. (Until November 2026 the titles were drawn from the prose's own
vocabulary, and a page held 17 glossary words at N = 500, 68 at 2,000 and 116 at 8,000: a
density no real knowledge base has, which made the benchmark's MkDocs builds grow faster than N.)
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import random
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledgebase.model.schema import EntryType, entry_types, walk

REPO = Path(__file__).resolve().parent.parent

#: Share of the entries (after the five stakeholders) per type.
TYPE_SHARES = {
    "paper": 0.27,
    "glossary": 0.15,
    "organisation": 0.14,
    "podcast": 0.12,
    "topic": 0.11,
    "recommendation": 0.08,
    "dataset": 0.06,
    "definition": 0.04,
    "source": 0.03,
    "stakeholder": 0.0,  # always the five groups below
}
#: The share of a type the real knowledge base does not have yet (one added with only its schema),
#: taken from the papers' share.
NEW_TYPE_SHARE = 0.03


def shares() -> dict[str, float]:
    """Share of the entries per type, for every type the schemas define.

    The measured types come first, in ``TYPE_SHARES``' order, which the random draws follow (so a
    seed gives the same knowledge base as before any type was added).
    """
    kinds = entry_types()
    out = {t: share for t, share in TYPE_SHARES.items() if t in kinds}
    for name in kinds:
        if name not in out:
            out[name] = NEW_TYPE_SHARE
            out["paper"] -= NEW_TYPE_SHARE
    return out


def folders() -> dict[str, str]:
    """The folder of each YAML type, in the order its entries are written: the site's order, the
    stakeholders last (their guides draw on everything else)."""
    kinds = sorted((k for k in entry_types().values() if not k.is_bibtex), key=lambda k: (k.name == "stakeholder", k.order))
    return {k.name: k.folder for k in kinds}


#: Fields every type may share, which ``common`` fills (or which are rare: left out).
_COMMON_FIELDS = frozenset({"tags", "stakeholders", "related", "sources", "provenance", "notes", "redirect_from", "quotes"})
STAKEHOLDERS = ["policymakers", "researchers", "ai-companies", "developers", "civil-society"]


def bib_files(papers: int) -> int:
    """How many .bib files hold the papers: their number and their size both grow as the square root.

    The real knowledge base has 3 files for 18 papers, as here; at 8,000 entries there are 31 files
    of about 70 entries, so that a cost per file that grows faster than its size shows in the ratios.
    """
    return max(1, round(math.sqrt(papers) / 1.5))


WORDS = """
open source model weights data training licence licences definition framework governance
community research policy developers companies researchers regulation transparency access
risk risks safety security release releases benchmark evaluation infrastructure compute
public commons accountability audit audits documentation dataset datasets provenance
reproducibility innovation competition market concentration platform platforms hosting
inference fine-tuning distillation deployment standards interoperability protocol protocols
stewardship maintainers funding sustainability ecosystem foundation foundations agreement
access control liability export controls marginal harms benefits disclosure weights
parameters architecture code scripts pipelines annotation labelling filtering curation
consent privacy copyright attribution openness closed proprietary permissive copyleft
restrictions acceptable use policy report reports survey study analysis findings evidence
debate critics proponents position statement principle principles freedoms study modify
share use users contributors volunteers institutions universities laboratories agencies
legislators regulators civil society watchdogs journalists archives libraries museums
language speech vision multimodal generative frontier capable scalable efficient local
edge mobile cloud vendors lock-in portability federation federated decentralised shared
""".split()
#: Glossary titles are made of invented words of three of these syllables, each word in one title
#: only: a term named in prose brings its own definitions and no other term's (as "open source"
#: on the real site brings two or three), and prose holds one only where it names a term.
SYLLABLES = "ka lo mi ne ru ta vi zo sen dar pel tor gam lin bra cus fen hol jar qua".split()
#: The share of prose words that name a glossary term: about 9 glossary words a page, as on the real site.
TERM_RATE = 0.025
CAPITALS = ["Open", "Public", "Federated", "Responsible", "Shared", "Community", "National", "Global", "Civic", "Digital"]
SURNAMES = """Widder Whittaker West Eiras Petrov Gao Zahedi Osborne Ding Kirk Quillivic Mesmoudi Luna Garcia
Nakamura Okafor Novak Lindqvist Moreau Rossi Kowalski Haddad Ivanova Mensah Silva Tanaka Brown Dubois""".split()
GIVEN = ["A.", "B. C.", "D. G.", "E.", "F.", "H. R.", "J.", "K.", "L. M.", "M.", "N.", "P.", "R.", "S. M.", "T."]
SHOWS = ["AI for Humans", "Last Week in AI", "Open Source Stories", "The Data Exchange", "Practical AI", "Commons Talk"]
HOSTS = ["Gavin Purcell", "Kevin Pereira", "Andrey Kurenkov", "Jeremie Harris", "Ana Ruiz", "Tom Berg", "Lea Voss"]
JOURNALS = ["arXiv preprint", "Nature Machine Intelligence", "Journal of Computational Social Science", "AI & Society"]
BOOKTITLES = ["Proceedings of the ACM Conference on Fairness, Accountability, and Transparency", "Proceedings of NeurIPS"]


@dataclass
class Ids:
    """Every id of the knowledge base being generated, by type."""

    by_type: dict[str, list[str]] = field(default_factory=dict)

    def all(self) -> list[str]:
        return [i for ids in self.by_type.values() for i in ids]


def counts(n: int) -> dict[str, int]:
    """How many entries of each type an ``n``-entry knowledge base has (exactly ``n`` in all)."""
    rest = max(n - len(STAKEHOLDERS), 0)
    result = {t: int(rest * share) for t, share in shares().items()}
    result["stakeholder"] = min(n, len(STAKEHOLDERS))
    # Every type at least once, so that every section page exists; the remainder goes to papers.
    for t in result:
        if t != "stakeholder" and result[t] == 0 and n >= len(result):
            result[t] = 1
    result["paper"] += n - sum(result.values())
    return result


class Writer:
    """Writes one synthetic knowledge base; all randomness comes from one seeded generator."""

    def __init__(self, root: Path, n: int, seed: int) -> None:
        self.root = root
        self.n = n
        self.rng = random.Random(f"{seed}:{n}")
        self.ids = Ids()
        self.titles: dict[str, str] = {}
        self.glossary_titles: list[str] = []  # chosen before any prose, which names them
        tag_count = 30 + n // 25
        self.tags = self._unique_slugs(tag_count, 1, 2)

    # --- pieces of text ---------------------------------------------------------------------

    def _unique_slugs(self, count: int, low: int, high: int, suffix: bool = False) -> list[str]:
        seen: set[str] = set()
        out: list[str] = []
        while len(out) < count:
            words = self.rng.sample(WORDS, self.rng.randint(low, high))
            slug = "-".join(w.replace("-", "") for w in words)
            if suffix:
                slug = f"{slug}-{len(out) + 1}"
            if slug not in seen:
                seen.add(slug)
                out.append(slug)
        return out

    def _term_word(self, used: set[str]) -> str:
        while True:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(3))
            if word not in used:
                used.add(word)
                return word

    def words(self, count: int) -> str:
        terms, rng = self.glossary_titles, self.rng
        return " ".join(rng.choice(terms) if terms and rng.random() < TERM_RATE else rng.choice(WORDS) for _ in range(count))

    def one_line(self, low: int, high: int) -> str:
        text = self.words(self.rng.randint(low, high))
        return text[0].upper() + text[1:]

    def link(self, pool: list[str] | None = None) -> str:
        target = self.rng.choice(pool or self.everything)
        if self.rng.random() < 0.3:
            return f"[[{target}|{self.words(self.rng.randint(1, 3))}]]"
        return f"[[{target}]]"

    def cite(self) -> str:
        papers = self.ids.by_type["paper"]
        roll = self.rng.random()
        if roll < 0.6:
            return f"[@{self.rng.choice(papers)}]"
        if roll < 0.85:
            return f"[@{self.rng.choice(papers)}, p. {self.rng.randint(1, 400)}]"
        a, b = self.rng.sample(papers, 2) if len(papers) > 1 else (papers[0], papers[0])
        return f"[@{a}; @{b}]" if a != b else f"[@{a}]"

    def sentence(self, links: float, cites: float) -> str:
        parts = [self.words(self.rng.randint(6, 14))]
        if self.rng.random() < links:
            parts.append(self.link())
            parts.append(self.words(self.rng.randint(2, 8)))
        if self.rng.random() < links / 2:
            parts.append(self.link())
        if self.rng.random() < 0.08:
            parts.append(f"**{self.words(2)}**")
        if self.rng.random() < 0.03:
            parts.append(f"[{self.words(2)}](https://example.org/{self.rng.choice(WORDS)}/{self.rng.randint(1, 999)})")
        text = " ".join(parts)
        text = text[0].upper() + text[1:]
        if self.rng.random() < cites:
            return f"{text} {self.cite()}."
        return f"{text}."

    def prose(self, chars: int, links: int, cites: float = 0.15) -> str:
        """Markdown of about ``chars`` characters with about ``links`` entry links, wrapped at 95 columns."""
        sentences: list[str] = []
        per_sentence = links / max(chars / 110, 1)
        while sum(len(s) + 1 for s in sentences) < chars * 0.75:
            sentences.append(self.sentence(per_sentence, cites))
        return "\n".join(textwrap.wrap(" ".join(sentences), 95, break_long_words=False, break_on_hyphens=False)) + "\n"

    def long_prose(self, chars: int, links: int) -> str:
        """A body with headings, paragraphs and a list, as topics and definitions have."""
        blocks: list[str] = []
        per_block = max(chars // 4, 150)
        links_per_block = max(links // 4, 1)
        while sum(len(b) for b in blocks) < chars * 0.8:
            if blocks and self.rng.random() < 0.35:
                blocks.append(f"## {self.one_line(2, 5)}")
            if self.rng.random() < 0.25:
                items = [f"- **{self.words(1)}.** {self.sentence(0.5, 0.2)}" for _ in range(self.rng.randint(2, 4))]
                blocks.append("\n".join(items))
            else:
                blocks.append(self.prose(per_block, links_per_block).rstrip("\n"))
        return "\n\n".join(blocks) + "\n"

    def pick(self, pool: list[str], low: int, high: int) -> list[str]:
        count = min(self.rng.randint(low, high), len(pool))
        return self.rng.sample(pool, count) if count else []

    def date(self) -> str:
        year = self.rng.randint(2015, 2025)
        roll = self.rng.random()
        if roll < 0.2:
            return str(year)
        if roll < 0.4:
            return f"{year}-{self.rng.randint(1, 12):02d}"
        return f"{year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def url(self) -> str:
        return f"https://example.org/{self.rng.choice(WORDS)}/{self.rng.randint(1000, 99999)}"

    def duration(self, hours: bool) -> str:
        if hours:
            return f"{self.rng.randint(1, 2)}:{self.rng.randint(0, 59):02d}:{self.rng.randint(0, 59):02d}"
        return f"{self.rng.randint(1, 59)}:{self.rng.randint(0, 59):02d}"

    def quotes(self, low: int, high: int) -> list[dict[str, str]]:
        return [
            {"text": self.one_line(12, 35) + ".", "speaker": self.rng.choice(SURNAMES), "source": self.rng.choice(self.sources)}
            for _ in range(self.rng.randint(low, high))
        ]

    def common(self, entry: dict[str, Any], related: tuple[int, int] = (2, 6), stakeholders: tuple[int, int] = (1, 4)) -> None:
        """The fields every type shares: tags, stakeholders, related, sources."""
        entry["tags"] = self.pick(self.tags, 1, 4)
        if stakeholders[1]:
            entry["stakeholders"] = self.pick(STAKEHOLDERS, *stakeholders)
        entry["related"] = self.pick(self.everything, *related)
        entry["sources"] = self.pick(self.sources, 1, 3)
        if self.rng.random() < 0.02:
            entry["provenance"] = "ai-generated"

    # --- entries ----------------------------------------------------------------------------

    def plan(self) -> None:
        wanted = counts(self.n)
        self.ids.by_type["stakeholder"] = STAKEHOLDERS[: wanted["stakeholder"]]
        for type_name, count in wanted.items():
            if type_name == "stakeholder":
                continue
            if type_name == "paper":
                keys = []
                for index in range(count):
                    keys.append(
                        f"{self.rng.choice(SURNAMES).lower()}{self.rng.randint(2015, 2025)}{self.rng.choice(WORDS).replace('-', '')}{index + 1}"
                    )
                self.ids.by_type["paper"] = keys
            else:
                self.ids.by_type[type_name] = [f"{type_name[:3]}-{slug}" for slug in self._unique_slugs(count, 1, 3, suffix=True)]
        self.everything = self.ids.all()
        self.sources = self.ids.by_type["paper"] + self.ids.by_type["source"]
        self.orgs = self.ids.by_type["organisation"] or self.everything

    def topic(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": self.one_line(2, 6), "order": index + 1}
        entry["summary"] = self.prose(self.rng.randint(150, 340), 2)
        entry["body"] = self.long_prose(self.rng.randint(900, 2600), 12)
        if self.rng.random() < 0.25:
            entry["benefits"] = [f"**{self.words(1)}**: {self.sentence(0.3, 0.1)}" for _ in range(self.rng.randint(2, 5))]
            entry["challenges"] = [f"**{self.words(1)}**: {self.sentence(0.3, 0.1)}" for _ in range(self.rng.randint(1, 3))]
        if self.rng.random() < 0.5:
            entry["quotes"] = self.quotes(1, 4)
        self.common(entry, (4, 8), (2, 5))
        return entry

    def definition(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": self.one_line(3, 6), "short_title": self.one_line(1, 2)}
        entry["publisher"] = self.rng.choice(self.orgs)
        entry["status"] = self.rng.choice(["released", "draft", "position", "framework"])
        if self.rng.random() < 0.3:
            entry["version"] = f"{self.rng.randint(0, 3)}.{self.rng.randint(0, 9)}"
        entry["date"] = self.date()
        entry["url"] = self.url()
        entry["summary"] = self.prose(self.rng.randint(200, 380), 3)
        entry["body"] = self.long_prose(self.rng.randint(900, 2000), 8)
        entry["grants"] = self.pick(["use", "study", "modify", "share"], 2, 4)
        entry["requires"] = {
            component: {
                "level": self.rng.choice(["required", "information", "optional", "not-required", "unspecified"]),
                "note": self.prose(self.rng.randint(80, 300), 1),
            }
            for component in ("data", "code", "weights", "documentation", "licence")
        }
        if self.rng.random() < 0.4:
            entry["positions"] = [
                {
                    "holder": holder,
                    "stance": self.rng.choice(["supports", "disagrees", "alternative", "critical"]),
                    "summary": self.prose(300, 2),
                    "quotes": self.quotes(0, 2),
                }
                for holder in self.pick(self.orgs, 1, 3)
            ]
            for position in entry["positions"]:
                if not position["quotes"]:
                    del position["quotes"]
        if self.rng.random() < 0.7:
            entry["quotes"] = self.quotes(1, 3)
        self.common(entry, (5, 8), (2, 5))
        return entry

    def recommendation(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": self.one_line(4, 8), "stakeholder": self.rng.choice(STAKEHOLDERS), "order": index + 1}
        entry["summary"] = self.prose(self.rng.randint(250, 450), 3, cites=0.3)
        if self.rng.random() < 0.8:
            entry["body"] = self.prose(self.rng.randint(200, 380), 4, cites=0.3)
        entry["relies_on"] = self.pick(self.everything, 2, 6)
        self.common(entry, (1, 3), (1, 2))
        return entry

    def podcast(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": self.one_line(4, 14), "show": self.rng.choice(SHOWS)}
        if self.rng.random() < 0.2:
            entry["episode"] = str(self.rng.randint(1, 400))
        entry["hosts"] = self.pick(HOSTS, 1, 2)
        if self.rng.random() < 0.4:
            entry["guests"] = [f"{self.rng.choice(['Ada', 'Ben', 'Chloe', 'Dev'])} {self.rng.choice(SURNAMES)}"]
        entry["date"] = self.date()
        if self.rng.random() < 0.17:
            start = self.rng.randint(0, 3000)
            end = start + self.rng.randint(60, 900)
            entry["segment"] = {
                "start": f"{start // 3600}:{start // 60 % 60:02d}:{start % 60:02d}",
                "end": f"{end // 3600}:{end // 60 % 60:02d}:{end % 60:02d}",
            }
        else:
            entry["duration"] = self.duration(self.rng.random() < 0.5)
        entry["format"] = self.rng.choice(["podcast", "video", "podcast-video"])
        entry["length"] = self.rng.choice(["shorter", "longer"])
        entry["url"] = f"https://www.youtube.com/watch?v={self.rng.randint(10**9, 10**10)}"
        entry["summary"] = self.prose(self.rng.randint(160, 300), 2)
        self.common(entry, (1, 4), (1, 2))
        return entry

    def glossary(self, index: int) -> dict[str, Any]:
        title = self.glossary_titles[index]
        entry: dict[str, Any] = {"title": title, "short": self.one_line(9, 17) + "."}
        aliases = [title.replace(" ", "-"), f"{title}s", f"{title} model"]
        entry["aliases"] = aliases[: self.rng.choice([0, 1, 2, 2, 3])]
        if self.rng.random() < 0.15:
            entry["abbreviations"] = ["".join(w[0] for w in title.split()).upper() + str(index + 1)]
        if self.rng.random() < 0.98:
            entry["body"] = self.prose(self.rng.randint(120, 400), 3)
        self.common(entry, (2, 5), (0, 3))
        if not entry["stakeholders"]:
            del entry["stakeholders"]
        return entry

    def organisation(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "title": f"{self.rng.choice(CAPITALS)} {self.one_line(1, 4)}",
            "kind": self.rng.choice(["organisation", "company", "government", "platform", "programme", "community"]),
        }
        if self.rng.random() < 0.6:
            entry["url"] = self.url()
        entry["summary"] = self.prose(self.rng.randint(150, 360), 2)
        if self.rng.random() < 0.45:
            entry["body"] = self.prose(self.rng.randint(300, 1500), 5)
        if self.rng.random() < 0.5:
            entry["quotes"] = self.quotes(1, 3)
        self.common(entry, (2, 7), (0, 3))
        if not entry["stakeholders"]:
            del entry["stakeholders"]
        return entry

    def dataset(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "title": self.one_line(1, 4),
            "modality": self.rng.choice(["text", "images", "speech", "mixed", "handwriting"]),
        }
        if self.rng.random() < 0.5:
            entry["url"] = self.url()
        entry["summary"] = self.prose(self.rng.randint(180, 300), 3)
        self.common(entry, (3, 4), (1, 4))
        return entry

    def source(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "title": self.one_line(4, 10),
            "kind": self.rng.choice(["reading-list", "ai-overview", "explainer", "report-excerpt", "blog-post"]),
        }
        if self.rng.random() < 0.3:
            entry["publisher"] = self.rng.choice(self.orgs)
            entry["date"] = self.date()
        entry["summary"] = self.prose(self.rng.randint(450, 570), 5)
        entry["body"] = self.prose(self.rng.randint(650, 780), 10)
        self.common(entry, (4, 6), (0, 0))
        others = [s for s in self.ids.by_type["source"] if s != self.ids.by_type["source"][index]]
        entry["sources"] = (
            self.pick(others, 1, 1) if others and self.rng.random() < 0.5 else self.pick(self.ids.by_type["paper"], 1, 1)
        )
        return entry

    def stakeholder(self, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": STAKEHOLDERS[index].replace("-", " ").capitalize(), "order": index + 1}
        entry["summary"] = self.prose(self.rng.randint(450, 600), 6)
        entry["body"] = self.prose(self.rng.randint(380, 460), 5)
        entry["roles"] = self.pick(["building", "hosting", "adapting", "serving"], 1, 4)
        entry["roles_note"] = self.prose(self.rng.randint(380, 560), 4)
        entry["tags"] = self.pick(self.tags, 2, 3)
        entry["related"] = self.pick(self.everything, 3, 4)
        entry["sources"] = self.pick(self.sources, 1, 3)
        return entry

    def from_schema(self, kind: EntryType, index: int) -> dict[str, Any]:
        """An entry of a type with no generator of its own: each field of its schema, filled as the
        field's kind says (fields that are objects, and patterned strings, are left out)."""
        specs = dict(walk(kind.schema))
        entry: dict[str, Any] = {}
        for name in kind.fields:
            if name not in _COMMON_FIELDS:
                value = self.fill(specs.get((name,), {}), specs.get((name, "*"), {}), index)
                if value is not None:
                    entry[name] = value
        self.common(entry)
        return {k: v for k, v in entry.items() if k in kind.fields}

    def fill(self, spec: dict[str, Any], items: dict[str, Any], index: int) -> Any:
        if spec.get("x-ref"):
            return self.rng.choice(self.ids.by_type.get(spec.get("x-ref-type"), self.everything))
        if spec.get("x-markdown"):
            return self.prose(self.rng.randint(200, 450), 3)
        if spec.get("enum"):
            return self.rng.choice(spec["enum"])
        if spec.get("format") == "http-url":
            return self.url()
        if spec.get("format") == "kb-date":
            return self.date()
        kind = spec.get("type")
        if kind == "integer":
            return index + 1
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "string" and "plain text" in spec.get("x-message", "plain text"):
            return self.one_line(2, 6)
        if kind == "array" and items.get("type") != "object":
            values = [self.fill(items, {}, index) for _ in range(self.rng.randint(1, 3))]
            return list(dict.fromkeys(v for v in values if v is not None)) or None
        return None

    def paper(self, key: str) -> str:
        """One BibTeX entry, laid out as in bibliography/*.bib."""
        rng = self.rng
        entrytype = rng.choices(["article", "inproceedings", "techreport", "misc", "online", "book"], [5, 2, 2, 1, 1, 1])[0]
        fields: list[tuple[str, str]] = [("title", self.one_line(5, 14).replace(" ai ", " {AI} "))]
        if entrytype in ("techreport",) and rng.random() < 0.4:
            fields.append(("organization", f"{rng.choice(CAPITALS)} {self.one_line(1, 3)}"))
        else:
            authors = [f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 6))]
            if rng.random() < 0.1:
                authors.append("others")
            fields.append(("author", " and ".join(authors)))
        fields.append(("year", self._year(key)))
        if rng.random() < 0.3:
            fields.append(
                ("month", rng.choice(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]))
            )
        if entrytype == "article":
            fields.append(("journal", rng.choice(JOURNALS)))
            if rng.random() < 0.3:
                fields.append(("volume", str(rng.randint(1, 60))))
            if rng.random() < 0.4:
                fields.append(("pages", f"{rng.randint(1, 300)}--{rng.randint(301, 600)}"))
        elif entrytype == "inproceedings":
            fields.append(("booktitle", rng.choice(BOOKTITLES)))
            fields.append(("pages", f"{rng.randint(1, 300)}--{rng.randint(301, 600)}"))
        elif entrytype == "techreport":
            fields.append(("institution", f"{rng.choice(CAPITALS)} {self.one_line(1, 3)}"))
            if rng.random() < 0.5:
                fields.append(("number", str(rng.randint(1, 999))))
        if rng.random() < 0.15:
            fields.append(("eprint", f"{rng.randint(2001, 2499)}.{rng.randint(10000, 99999)}"))
            fields.append(("archiveprefix", "arXiv"))
        if rng.random() < 0.2:
            fields.append(("doi", f"10.{rng.randint(1000, 99999)}/{rng.choice(WORDS)}.{rng.randint(1, 9999)}"))
        if rng.random() < 0.6:
            fields.append(("url", self.url()))
        summary = self.prose(rng.randint(300, 600), 3, cites=0.05).replace("\n", " ").strip()
        fields.append(("summary", summary))
        fields.append(("keywords", ", ".join(self.pick(self.tags, 2, 5))))
        fields.append(("stakeholders", ", ".join(self.pick(STAKEHOLDERS, 1, 3))))
        fields.append(("related", ", ".join(self.pick(self.everything, 2, 4))))
        fields.append(
            ("sources", ", ".join(s for s in self.pick(self.sources, 1, 2) if s != key) or self.ids.by_type["source"][0])
        )
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@{entrytype}{{{key},\n{body}\n}}\n"

    @staticmethod
    def _year(key: str) -> str:
        for index in range(len(key) - 3):
            chunk = key[index : index + 4]
            if chunk.isdigit() and chunk.startswith("20"):
                return chunk
        return "2024"

    # --- files ------------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        self.plan()
        wanted = counts(self.n)
        used: set[str] = set()
        while len(self.glossary_titles) < wanted["glossary"]:
            title = [self._term_word(used) for _ in range(self.rng.randint(1, 2))]
            self.glossary_titles.append(" ".join(title))
        for type_name, folder in folders().items():
            (self.root / "content" / folder).mkdir(parents=True, exist_ok=True)
            make = getattr(self, type_name, None) or functools.partial(self.from_schema, entry_types()[type_name])
            for index, entry_id in enumerate(self.ids.by_type[type_name]):
                entry = make(index)
                if self.rng.random() < 0.01:
                    entry["redirect_from"] = [f"former-{entry_id}"]
                text = f"# yaml-language-server: $schema=../../scripts/knowledgebase/schemas/{type_name}.schema.json\n" + _dump(
                    entry
                )
                (self.root / "content" / folder / f"{entry_id}.yaml").write_text(text, encoding="utf-8")
        bib = self.root / "bibliography"
        bib.mkdir(parents=True, exist_ok=True)
        papers = self.ids.by_type["paper"]
        files = bib_files(len(papers))
        for number in range(files):
            chunk = papers[number::files]
            header = f"% Synthetic bibliography, part {number + 1} of {files}.\n\n"
            (bib / f"part-{number + 1:02d}.bib").write_text(header + "\n".join(self.paper(k) for k in chunk), encoding="utf-8")
        pages = self.root / "content" / "pages"
        pages.mkdir(parents=True, exist_ok=True)
        (pages / "index.md").write_text(self.home(), encoding="utf-8")
        return wanted

    def hand_pages(self, template: Path) -> None:
        """The template's hand-written pages (content/pages), their links re-pointed at synthetic entries.

        mkdocs.yml's nav names them, so a strict build needs them; and they are real pages.
        """
        source = template / "content" / "pages"
        if not source.is_dir():
            return
        for path in sorted(source.rglob("*")):
            if not path.is_file():
                continue
            target = self.root / "content" / "pages" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".md":
                target.write_text(self.repoint(path.read_text(encoding="utf-8")), encoding="utf-8")
            else:
                shutil.copy(path, target)

    def repoint(self, text: str) -> str:
        """``[[id]]`` links and ``[@key]`` citations of the real knowledge base, pointed at synthetic ids."""

        def pick(pool: list[str], real: str) -> str:
            if real in pool:
                return real  # the stakeholders are the same five
            digest = int(hashlib.sha256(real.encode()).hexdigest(), 16)
            return pool[digest % len(pool)]

        text = _PAGE_LINK.sub(lambda m: f"[[{pick(self.everything, m.group(1))}{m.group(2) or ''}]]", text)
        return _PAGE_CITE.sub(lambda m: "@" + pick(self.ids.by_type["paper"], m.group(1)), text)

    def home(self) -> str:
        lines = ["---", "title: Synthetic knowledge base", "---", "", "# Synthetic knowledge base", ""]
        lines.append(self.prose(600, 6).rstrip())
        lines += ["", "## Guides", ""] + [f"- [[{s}]]: {self.words(8)}" for s in STAKEHOLDERS]
        lines += ["", "## Where to start", ""] + [f"- {self.link()} and {self.link()}: {self.words(10)}." for _ in range(6)]
        lines += ["", "See the [Topics](topics/index.md) and [Glossary](glossary/index.md) sections.", ""]
        return "\n".join(lines)


_PAGE_LINK = re.compile(r"\[\[\s*([^\[\]|\n]*?)\s*(\|[^\[\]\n]*)?\]\]")
_PAGE_CITE = re.compile(r"(?<=[\[;\s])@([^\s,;\]]+)(?=[^\[\]\n]*\])")


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def _dump(entry: dict[str, Any]) -> str:
    return yaml.dump(entry, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=95, default_flow_style=None)


def generate(root: Path, n: int, seed: int = 1, template: Path | None = None) -> dict[str, int]:
    """Write an ``n``-entry knowledge base into ``root``; returns the number of entries per type.

    With a ``template`` project, its hand-written pages replace the synthetic home page.
    """
    writer = Writer(Path(root), n, seed)
    made = writer.write()
    if template is not None:
        writer.hand_pages(Path(template))
    return made


def make_project(root: Path, n: int, seed: int = 1, template: Path = REPO) -> dict[str, int]:
    """A complete project in ``root``: the synthetic sources, and the template's (by default this
    repository's) mkdocs.yml, overrides/ and hand-written pages."""
    root = Path(root)
    template = Path(template)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    made = generate(root, n, seed, template)
    shutil.copy(template / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(template / "overrides", root / "overrides")
    (root / "build" / "docs").mkdir(parents=True)
    (root / "build" / "docs" / ".gitkeep").touch()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic knowledge base project.")
    parser.add_argument("root", type=Path)
    parser.add_argument("-n", type=int, default=1000, help="number of entries (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--template", type=Path, default=REPO, help="the project whose mkdocs.yml, overrides/ and pages to use")
    args = parser.parse_args(argv)
    made = make_project(args.root, args.n, args.seed, args.template)
    print(json.dumps(made))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
