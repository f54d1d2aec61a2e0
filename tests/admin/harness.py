"""Shared by the admin and aws tests: one LocalAws per package, configs, and a CLI runner."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

from sandbox.aws import LocalAws, Scenario
from tests.conftest import CliResult, CliRunner
from tests.host import fixtures

IDC = "ap-southeast-2"
HEALTHY = Scenario(users=12, groups=3)
ROLE = "arn:aws:iam::111111111111:role/KiroKeyAdmin"
DEFAULT_ASSIGNMENTS = (("group", "group-01", "pro"), ("user", "user00002", "power"))


def local_aws() -> Iterator[LocalAws]:
    """A running LocalAws for a whole test package (moto's state is process-global)."""
    with LocalAws(HEALTHY) as aws:
        yield aws


def write_config(
    folder: Path,
    *,
    region: str = IDC,
    role: bool = True,
    assignments: tuple[tuple[str, str, str], ...] = DEFAULT_ASSIGNMENTS,
    extra: str = "",
    identity_center: str = "",
) -> Path:
    """An organisation config for the admin commands; `identity_center` adds lines to it."""
    lines = [f'[identity_center]\nregion = "{region}"\n{identity_center}']
    if role:
        lines.append(f'[aws]\nmanagement_role_arn = "{ROLE}"\n')
    lines += [
        f'[[assignments]]\n{kind} = "{name}"\nplan = "{plan}"\n' for kind, name, plan in assignments
    ]
    path = folder / "org.toml"
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path


AdminRunner = Callable[..., CliResult]


def admin_runner(cli: CliRunner, aws: LocalAws, tmp_path: Path) -> Callable[..., AdminRunner]:
    """`use(**scenario)` resets the LocalAws and returns `run(*argv, config=..., env=...)`."""

    def use(**scenario: object) -> AdminRunner:
        aws.reset(dataclasses.replace(HEALTHY, **scenario))

        def run(
            *argv: str, config: Path | None = None, env: dict[str, str] | None = None
        ) -> CliResult:
            path = config or write_config(tmp_path)
            return cli(
                "admin", *argv, "--config", str(path),
                facts=fixtures.ubuntu2404(), env={**aws.env(), **(env or {})},
            )  # fmt: skip

        return run

    return use
