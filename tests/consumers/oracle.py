"""The oracle harness: load a file we wrote in the program that really reads it.

Every format here has an owner whose parser is the truth (STYLE.md): botocore and the AWS CLI
for `~/.aws/config`, PyYAML for front matter, Microsoft's jsonc-parser (VS Code's, so Kiro's)
for settings.json and mcp.json, desktop-file-validate and GLib's `gio` for desktop entries,
dpkg for packages, pre-commit for `.pre-commit-hooks.yaml`. A test asks for a consumer with
`require(...)`; a consumer that is not installed fails the run in CI (`CI=true`, where
`.ci/run` installs every one) and skips with its reason elsewhere.

The `edit_*` functions are the edits a person makes to a file between two runs.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
NODE_FOLDER = Path(__file__).resolve().parent / "node"
JSONC_SCRIPT = NODE_FOLDER / "parse-jsonc.js"
# Names a test may skip with outside CI (tests/conftest.py allows this prefix).
MISSING = "consumer not installed"
TIMEOUT_SECONDS = 120.0
# What installs each consumer (also what `.ci/run` does).
INSTALL = {
    "aws": "pip install -e '.[dev]' (awscli v1 from PyPI)",
    "node": "apt-get install nodejs npm",
    "jsonc-parser": "npm ci --prefix tests/consumers/node",
    "desktop-file-validate": "apt-get install desktop-file-utils",
    "gio": "apt-get install libglib2.0-bin",
    "dpkg": "apt-get install dpkg",
    "dpkg-deb": "apt-get install dpkg",
    "pre-commit": "pip install -e '.[dev]'",
    "git": "apt-get install git",
}


def in_ci() -> bool:
    """True on a CI runner, where every consumer must be present."""
    return os.environ.get("CI", "").lower() == "true"


def require(name: str) -> str:
    """The path of consumer `name`; fails in CI and skips elsewhere when it is missing."""
    if name == "jsonc-parser":
        found = (NODE_FOLDER / "node_modules" / "jsonc-parser").is_dir()
        path = str(JSONC_SCRIPT) if found and require("node") else None
    else:
        # The venv's own scripts (aws, pre-commit) come first, as `make test` runs them.
        venv_bin = str(Path(sys.executable).parent)
        path = shutil.which(name, path=os.pathsep.join([venv_bin, os.environ.get("PATH", "")]))
    if path is None:
        reason = f"{MISSING}: {name} (install: {INSTALL.get(name, name)})"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def run(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Any:
    """Run a consumer; returns the CompletedProcess (text), never raises on a non-zero exit."""
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


# ~/.aws/config ---------------------------------------------------------------------------


def load_aws_config(path: Path) -> dict[str, Any]:
    """botocore's own view of the file (`profiles`, `sso_sessions`), after a strict read.

    `RawConfigParser(strict=True)` is what raises DuplicateOptionError / DuplicateSectionError
    for the damage a line editor can do; botocore's loader is what every AWS SDK call uses.
    """
    from botocore.configloader import load_config

    strict = configparser.RawConfigParser(strict=True)
    strict.read_string(path.read_text("utf-8"))
    return dict(load_config(str(path)))


def aws_cli(path: Path, *args: str) -> Any:
    """Run the AWS CLI with `path` as its config file; returns the CompletedProcess."""
    aws = require("aws")
    env = {"AWS_CONFIG_FILE": str(path), "AWS_SHARED_CREDENTIALS_FILE": str(path) + ".none"}
    return run([aws, *args], env=env)


# JSON with comments (VS Code's settings.json, Kiro's mcp.json) ------------------------------


def load_jsonc(path: Path) -> Any:
    """The value Microsoft's jsonc-parser reads from the file; fails the test on a parse error."""
    script = require("jsonc-parser")
    answer = run([require("node"), script, str(path)])
    assert answer.returncode == 0, f"jsonc-parser rejects {path}:\n{answer.stderr}"
    return json.loads(answer.stdout)


# Front matter (steering files) ------------------------------------------------------------


def load_front_matter(text: str) -> Any:
    """The YAML between the opening and closing `---`, as PyYAML's safe_load reads it."""
    import yaml

    lines = text.splitlines()
    assert lines, "an empty file"
    assert lines[0].strip() == "---", "no front matter"
    closing = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    return yaml.safe_load("\n".join(lines[1:closing]))


# Desktop entries -------------------------------------------------------------------------


def validate_desktop_entry(path: Path) -> Any:
    """desktop-file-validate's verdict on a desktop entry (returncode 0 = valid)."""
    return run([require("desktop-file-validate"), str(path)])


def gio_launch(path: Path, *, env: dict[str, str] | None = None) -> Any:
    """`gio launch` of a desktop entry: GLib parses Exec= as a GNOME menu would.

    gio needs an absolute path ("Unable to load application information" otherwise).
    """
    return run([require("gio"), "launch", str(path.resolve())], env=env)


# Packages and hooks ----------------------------------------------------------------------


def dpkg_deb_fields(package: Path) -> dict[str, str]:
    """The control fields dpkg reads from a .deb (fails the test when dpkg cannot read it)."""
    answer = run([require("dpkg-deb"), "--field", str(package)])
    assert answer.returncode == 0, f"dpkg-deb cannot read {package}:\n{answer.stderr}"
    fields = {}
    for line in answer.stdout.splitlines():
        if ":" in line and not line.startswith(" "):
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def pre_commit_try_repo(work_tree: Path, hook: str, *, home: Path) -> Any:
    """`pre-commit try-repo` of this repository's hooks, run inside `work_tree`."""
    pre_commit = require("pre-commit")
    require("git")
    cache = REPOSITORY / ".cache"
    env = {
        "HOME": str(home),
        # Kept between runs (.gitignore'd): the hook's environment is rebuilt per commit, and
        # pip's cache makes that rebuild minutes shorter.
        "PRE_COMMIT_HOME": os.environ.get("PRE_COMMIT_HOME", str(cache / "pre-commit")),
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(cache / "pip")),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # try-repo commits a repository's uncommitted changes to a shadow copy first.
        "GIT_AUTHOR_NAME": "oracle",
        "GIT_AUTHOR_EMAIL": "oracle@example.invalid",
        "GIT_COMMITTER_NAME": "oracle",
        "GIT_COMMITTER_EMAIL": "oracle@example.invalid",
    }
    return run(
        [pre_commit, "try-repo", str(REPOSITORY), hook, "--all-files", "--verbose"],
        env=env,
        cwd=work_tree,
    )


# The edits a person makes between two runs ------------------------------------------------


def edit_crlf(data: bytes) -> bytes:
    """Windows line endings (an editor on Windows, or git's autocrlf)."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def edit_ini_comments(data: bytes) -> bytes:
    """A comment line at the top and one before every section."""
    text = data.decode("utf-8")
    lines = ["# edited by hand"]
    for line in text.splitlines():
        if line.startswith("["):
            lines.append("; next section")
        lines.append(line)
    return ("\n".join(lines) + "\n").encode("utf-8")


def edit_ini_other_sections(data: bytes) -> bytes:
    """A profile of the person's own, before and after what we wrote."""
    before = b"[default]\nregion = us-west-2\n\n"
    after = b"\n[profile work]\nsso_session = corp\nregion = eu-west-1\n"
    return before + data + after


def edit_jsonc_comments_and_trailing_commas(data: bytes) -> bytes:
    """A line comment, a block comment and a trailing comma, as VS Code allows."""
    text = data.decode("utf-8").rstrip()
    assert text.endswith("}"), "a JSON object"
    body = text[:-1].rstrip()
    return ("// mine\n/* kept */" + body + ",\n  // the end\n}\n").encode("utf-8")
