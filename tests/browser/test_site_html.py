"""The built site as files: no broken internal link or anchor anywhere, and valid HTML on every type of page."""

from __future__ import annotations

from . import checks
from .checks import ACCEPTED_NU
from .kit import PAGE_TYPES, page_of_type


def test_no_broken_internal_link_or_anchor(site_dir):
    """Every href and src of every page of the real site leads to a file, and every #anchor exists."""
    broken = checks.broken_links(site_dir)
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:100])


def test_every_page_type_is_valid_html(site_dir, vnu):
    java, jar = vnu
    files = [site_dir / (page_of_type(site_dir, kind) or "index.html") for kind in PAGE_TYPES]
    files = [f / "index.html" if f.is_dir() or not f.suffix else f for f in files]
    findings = checks.nu_findings(files, jar, java=java, accepted=ACCEPTED_NU)
    report = "\n".join(str(f).replace(str(site_dir) + "/", "") for f in findings)
    assert not findings, f"the Nu HTML checker's findings (see ACCEPTED_NU for the theme's own):\n{report}"
