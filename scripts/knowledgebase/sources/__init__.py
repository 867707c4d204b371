"""Stage 1, sources: YAML and BibTeX files read into plain data, with the line and column of every value."""
