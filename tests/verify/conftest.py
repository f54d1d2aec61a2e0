"""The release tree and server fixtures (tests/release/support.py)."""

from __future__ import annotations

from tests.release.support import origin, release_tree

__all__ = ["origin", "release_tree"]
