"""Helpers for tests of any area: tiny embedding files and tiny models built on the fly."""
