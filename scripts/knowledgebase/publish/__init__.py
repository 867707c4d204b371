"""Stage 5, the site: files beyond the pages, written only into folders the build owns."""
