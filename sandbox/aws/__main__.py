"""Run the local AWS as its own process: `python -m sandbox.aws [--users N --groups M ...]`.

Prints the environment as `export K=V` lines, then `READY <endpoint_url>` (read up to it), and
serves until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from types import FrameType

from sandbox.aws.scenario import Scenario
from sandbox.aws.server import LocalAws


def parse_scenario(argv: list[str] | None) -> Scenario:
    """Turn command-line knobs into a Scenario."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.aws", description=__doc__)
    parser.add_argument("--users", type=int, default=Scenario.users)
    parser.add_argument("--groups", type=int, default=Scenario.groups)
    parser.add_argument("--caller", choices=["shared", "management"], default=Scenario.caller)
    parser.add_argument("--idc-region", default=Scenario.idc_region)
    parser.add_argument("--default-region", default=Scenario.default_region)
    parser.add_argument(
        "--instance-kind", choices=["organization", "account", "none"], default="organization"
    )
    parser.add_argument(
        "--key-type",
        choices=["AWS_OWNED_KMS_KEY", "CUSTOMER_MANAGED_KEY"],
        default=Scenario.key_type,
    )
    parser.add_argument("--vendor-statement", action="store_true")
    parser.add_argument("--no-service-linked-roles", action="store_true")
    parser.add_argument(
        "--deny", action="append", default=[], metavar="SERVICE:OPERATION", help="repeatable"
    )
    args = parser.parse_args(argv)
    return Scenario(
        caller=args.caller,
        default_region=args.default_region,
        idc_region=args.idc_region,
        instance_kind=args.instance_kind,
        key_type=args.key_type,
        vendor_statement=args.vendor_statement,
        service_linked_roles=not args.no_service_linked_roles,
        users=args.users,
        groups=args.groups,
        deny=frozenset(args.deny),
    )


def main(argv: list[str] | None = None) -> int:
    """Serve until a signal arrives; return the exit code."""
    scenario = parse_scenario(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        """Wake the main thread so the context manager shuts down cleanly."""
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with LocalAws(scenario) as aws:
        lines = [f"export {key}={shlex.quote(value)}" for key, value in aws.env().items()]
        lines.append(f"READY {aws.endpoint_url}")
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
        while not stop.wait(1.0):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
