"""Contributor tools apart from the build: the ``kb`` command, ``kb new``, ``kb diff``, ``kb linkcheck``."""
