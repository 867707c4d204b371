"""Citations: each entry's dates from git, its citation record (CSL, APA, BibTeX, metadata tags)."""
