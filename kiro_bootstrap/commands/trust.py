"""`trust`: which Linux signing certificate this machine trusts, and clearing a first-use record."""

from __future__ import annotations

import argparse

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.output import Result


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `trust show` and `trust forget`."""
    parser = commands.add_parser(
        "trust",
        parents=[common],
        help="show or reset which Linux signing certificate is trusted",
        description="Show the effective release.signing.linux_trust rule, the pins and the "
        "certificate recorded on first use; 'forget' clears that record (run it as the "
        "administrator who owns it), so the next download records the certificate it sees.",
    )
    parser.add_argument("action", choices=("show", "forget"), help="what to do")
    parser.set_defaults(handler=run, command_name="trust")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Report the rule, or remove the first-use record."""
    from kiro_bootstrap.verify.trust import linux_trust_for, read_first_use

    trust = linux_trust_for(ctx)
    recorded = read_first_use(trust.first_use_file)
    result = Result(
        data={
            "linux_trust": trust.mode,
            "reason": trust.reason,
            "linux_cert_sha256": list(trust.pins),
            "first_use_file": trust.first_use_file,
            "first_use": vars(recorded) if recorded else None,
        }
    )
    if args.action == "forget":
        try:
            trust.first_use_file.unlink(missing_ok=True)
        except OSError as error:
            raise DeploymentError(
                f"Cannot remove {trust.first_use_file}: {error.strerror}.",
                hint="Run it as the administrator (root) who owns the record.",
            ) from None
        result.data["forgotten"] = recorded is not None
        said = "Forgot" if recorded else "Nothing recorded in"
        result.say(f"{said} {trust.first_use_file}.", "ok")
        return result
    result.say(f"linux_trust  {trust.mode} ({trust.reason})")
    result.say(f"pins         {', '.join(trust.pins) or 'none'}")
    if recorded:
        result.say(f"first use    {recorded.subject}, SHA-256 {recorded.sha256}")
    return result
