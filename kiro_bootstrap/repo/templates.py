"""What `repo init` writes when the organisation's config says nothing more specific."""

from __future__ import annotations

from typing import Any

from kiro_bootstrap.repo.remote import Forge

STEERING_FRONT_MATTER = "---\ninclusion: always\n---\n\n"

DEFAULT_STEERING: dict[str, str] = {
    "product": STEERING_FRONT_MATTER
    + """# Product

Replace each prompt below with two or three plain sentences. Kiro reads this file in every
conversation, so keep it short and true.

## What it is
What does this product do, and for whom? (one sentence a new teammate would understand)

## Who uses it
The main users and what they are trying to get done.

## What matters most
The two or three qualities we trade other things for (for example: correctness of invoices
over speed; accessibility; offline use).

## Out of scope
Things we deliberately do not do, so Kiro does not suggest them.
""",
    "tech": STEERING_FRONT_MATTER
    + """# Technology

## Stack
Languages and versions, frameworks, databases, where it runs (for example: Python 3.12,
FastAPI, PostgreSQL 16 on AWS ECS).

## Commands
How to build, test, lint and run locally (exact commands, one per line).

## Conventions
Libraries we prefer and ones we avoid, error handling, logging, and how we write tests.

## Constraints
Security, compliance or performance rules every change must respect.
""",
    "structure": STEERING_FRONT_MATTER
    + """# Structure

## Layout
The top-level folders and what lives in each (for example: `src/api/` HTTP handlers,
`src/domain/` business rules, `tests/` mirrors `src/`).

## Naming
How files, modules, classes and tests are named.

## Where new code goes
Where a new endpoint, component, migration or test belongs, and what to update alongside it.
""",
}

SPECS_README = """# Specs

Each feature Kiro builds with a spec gets its own folder here: `.kiro/specs/<feature>/`.
A spec is three files, written and reviewed in this order:

1. `requirements.md`: user stories with acceptance criteria (EARS style: "WHEN … THE SYSTEM
   SHALL …"). Agree on these before any design.
2. `design.md`: the architecture, components, data models, error handling and test strategy
   that meet the requirements.
3. `tasks.md`: a checklist of small, ordered implementation tasks, each pointing back to the
   requirements it satisfies. Kiro works through it task by task.

Review each file in a pull request like code. `kiro-bootstrap repo check` (pre-commit and CI)
fails when a feature folder lacks one of the three files.
"""

IGNORE_HEADER = "# kiro-bootstrap: personal Kiro settings and tokens stay out of Git"
# Personal MCP overrides (the shared servers are in .kiro/settings/mcp.json) and Kiro's
# sign-in token cache, should a tool ever copy it into a work tree.
IGNORE_LINES = (
    ".kiro/settings/*.local.json",
    "kiro-auth-token.json",
)

# Names of environment variables, never their values.
GITHUB_TOKEN_VARIABLE = "GITHUB_PERSONAL_ACCESS_TOKEN"  # noqa: S105
GITLAB_TOKEN_VARIABLE = "GITLAB_PERSONAL_ACCESS_TOKEN"  # noqa: S105
GITHUB_SERVER_IMAGE = "ghcr.io/github/github-mcp-server"
GITLAB_API_PATH = "/api/v4"
# GitLab's own MCP server: an HTTP endpoint of every GitLab (sign-in by OAuth in Kiro;
# availability depends on the GitLab tier and version, see README). The npm package
# @modelcontextprotocol/server-gitlab is archived: never scaffolded.
GITLAB_MCP_PATH = "/api/v4/mcp"


def reference(variable: str) -> str:
    """A `${VAR}` reference: each person's own environment supplies the value."""
    return "${" + variable + "}"


def forge_server(forge: Forge, gitlab_package: str | None = None) -> tuple[str, dict[str, Any]]:
    """The MCP server entry for the repository's forge, tokens only as `${VAR}` references.

    GitLab: its own MCP endpoint, unless `repo.gitlab_mcp_package` names a package to run.
    """
    if forge.kind == "github":
        args = ["run", "-i", "--rm", "-e", GITHUB_TOKEN_VARIABLE]
        env = {GITHUB_TOKEN_VARIABLE: reference(GITHUB_TOKEN_VARIABLE)}
        if not forge.is_public_service:
            args += ["-e", "GITHUB_HOST"]  # GitHub Enterprise Server
            env["GITHUB_HOST"] = forge.web_url
        entry: dict[str, Any] = {"command": "docker", "args": [*args, GITHUB_SERVER_IMAGE]}
    elif gitlab_package is None:
        entry = {"url": forge.web_url + GITLAB_MCP_PATH}
        entry.update({"disabled": False, "autoApprove": []})
        return forge.kind, entry
    else:
        env = {
            GITLAB_TOKEN_VARIABLE: reference(GITLAB_TOKEN_VARIABLE),
            "GITLAB_API_URL": forge.web_url + GITLAB_API_PATH,
        }
        entry = {"command": "npx", "args": ["-y", gitlab_package]}
    entry.update({"env": env, "disabled": False, "autoApprove": []})
    return forge.kind, entry
