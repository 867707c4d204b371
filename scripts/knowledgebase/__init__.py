"""Open Source AI Knowledge Base: sources -> validated model -> linked graph -> Markdown pages -> site.

The stages, one module each, in the order data flows through them:

- ``sources``: read YAML and BibTeX files, keeping the line and column of every value;
- ``validate``: check them against the JSON Schemas and build the model (``model``);
- ``graph``: resolve every reference and every link in prose, and collect backlinks;
- ``render``: turn the linked graph into Markdown pages with Jinja2 templates;
- ``output``: write those pages into the generated docs folder, touching only what changed.

``pipeline`` strings them together; ``cli`` (the ``kb`` command) and ``plugin`` (the MkDocs
plugin) are thin front ends over it.
"""

__version__ = "0.1.0"
