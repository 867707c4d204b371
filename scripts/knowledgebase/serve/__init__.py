"""``mkdocs serve`` for contributors: the preview of broken sources and the incremental rebuild."""
