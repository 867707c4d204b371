"""The reader's-eye tests: the built site in a real browser, and the checks they use."""
