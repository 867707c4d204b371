"""Stage 4, pages: the linked graph as Markdown through Jinja2 templates (in ``templates/``)."""
