"""Open Source AI Knowledge Base: sources -> validated model -> linked graph -> Markdown pages -> site.

The stages, one package each, in the order data flows through them:

- ``sources``: read YAML and BibTeX files, keeping the line and column of every value;
- ``model``: the entry types (from the JSON Schemas in ``schemas/``) and validation;
- ``graph``: resolve every reference and every link in prose, and collect backlinks;
- ``cite``: each entry's dates and citation record, computed once and read by every page;
- ``render``: turn the linked graph into Markdown pages with Jinja2 templates;
- ``publish``: the files beyond the pages, written only into folders the build owns.

``pipeline`` strings them together; ``plugin`` (the MkDocs plugin) and ``tools.cli`` (the ``kb``
command) are thin front ends over it. ``serve`` holds what ``mkdocs serve`` needs, ``tools`` the
contributor tools.
"""

__version__ = "0.1.0"
