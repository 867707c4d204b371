"""The built site as files: no broken internal link or anchor anywhere, and valid HTML on every type of page."""

from __future__ import annotations

from . import checks
from .conftest import PAGE_TYPES, page_of_type

# Findings of the Nu HTML checker that come from Material for MkDocs' own templates, knowingly
# accepted: changing them means copying large theme templates for no gain to readers. Anything
# else the checker reports fails the test.
ACCEPTED_NU = (
    checks.Accepted(
        message=r"^Attribute “autocomplete” is only allowed when the input type is",
        extract=r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" id="__(drawer|search)" autocomplete="off">',
        reason="Material's base.html: the drawer and search toggles are checkboxes with autocomplete=off, so that "
        "Firefox does not restore them open when a reader comes back to a page. Browsers honour it; the "
        "specification does not list it for checkboxes.",
    ),
    checks.Accepted(
        message=r"^Bad value “” for attribute “tabindex” on element “label”",
        extract=r'<label class="md-nav__link[^"]*" for="__nav_\d+(_\d+)*" id="__nav_\d+(_\d+)*_label" tabindex="">',
        reason="Material's partials/nav-item.html writes an empty tabindex on the label of a nav section that has an "
        "index page (navigation.indexes); browsers ignore the empty value.",
    ),
    checks.Accepted(
        message=r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
        extract=r'<label class="md-nav__title" for="__toc">',
        reason="Material's partials/toc.html labels its title for the __toc toggle, which the theme renders only "
        "when the table of contents is folded into the primary navigation; elsewhere the label targets nothing.",
    ),
)


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
