"""The names of Kiro's build targets (FACTS §1), importable without the settings model."""

TARGETS = ("linux-x64", "linux-x64-deb", "darwin-arm64", "darwin-x64", "win32-x64")
