"""The names of Kiro's build targets (FACTS §1), importable without the settings model.

The one list: settings validate against it, commands offer it, `layout.targets` describes each.
"""

from typing import Literal, get_args

Target = Literal["linux-x64", "linux-x64-deb", "darwin-arm64", "darwin-x64", "win32-x64"]
TARGETS: tuple[str, ...] = get_args(Target)
