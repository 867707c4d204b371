"""Benchmarks of the knowledge-base build: synthetic knowledge bases and a timing harness.

``python -m benchmarks.run`` (or ``make bench``) runs them; see ``benchmarks/README.md``.
"""
