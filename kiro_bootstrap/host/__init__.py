"""The platform layer: host facts gathered once, the one subprocess runner, acting as a user.

Nothing outside this package reads sys.platform, platform.* or os.geteuid: it reads HostFacts.
"""

from __future__ import annotations

from kiro_bootstrap.host.facts import HostFacts, OsName, ProxySettings

__all__ = ["HostFacts", "OsName", "ProxySettings"]
