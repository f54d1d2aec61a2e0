"""LocalAws: moto on loopback, the front before it, and a seeded two-account organisation."""

from __future__ import annotations

import logging
import tempfile
import threading
import urllib.request
from collections import Counter
from pathlib import Path
from types import TracebackType

import boto3
import botocore.loaders
import botocore.session

from sandbox.aws.faults import FaultInjector
from sandbox.aws.front import Front
from sandbox.aws.identity_fake import IdentityStoreFake
from sandbox.aws.kiro_fake import KiroFake, is_kiro_request
from sandbox.aws.kiro_state import KiroState
from sandbox.aws.principals import find_principal
from sandbox.aws.scenario import (
    ACCOUNT_IDS,
    CREDENTIALS,
    KEY_ADMIN_ROLE,
    MANAGEMENT_ACCOUNT,
    AccountName,
    Scenario,
)
from sandbox.aws.seed import (
    create_idc_key,
    create_organization,
    create_roles,
    install_test_users,
    teach_service_role_names,
)
from sandbox.aws.seed_directory import Directory, align_moto_instances, find_store, seed_directory
from sandbox.aws.sso_fake import OPERATIONS, IdcInstance, SsoAdminFake, plan_instances
from sandbox.aws.wire import WireRequest, WireResponse

# moto keeps its state in module globals: two LocalAws at once would trample each other.
_RUNNING = threading.Lock()


class LocalAws:
    """A local AWS for tests, the sandbox demo and benchmarks; use as a context manager."""

    def __init__(self, scenario: Scenario | None = None) -> None:
        """Remember the scenario; nothing starts until start() or `with`."""
        self.scenario = scenario or Scenario()
        self.kms_key_arn: str | None = None
        self.management_role_arn = f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/{KEY_ADMIN_ROLE}"
        self.directory = Directory()
        self._instances: dict[str, list[IdcInstance]] = {}
        self._sso = SsoAdminFake({}, None)
        self._kiro = KiroFake(self.scenario, self._find_store)
        self._identity = IdentityStoreFake(_store_in)
        self._moto: object | None = None
        self._front: Front | None = None
        self._config_dir: tempfile.TemporaryDirectory[str] | None = None
        # One loader for every session we hand out: botocore's model files then parse once.
        self._loader = botocore.loaders.create_loader()

    def __enter__(self) -> LocalAws:
        """Start and seed."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop everything."""
        self.close()

    def start(self) -> None:
        """Start moto and the front on loopback, then seed the scenario."""
        if not _RUNNING.acquire(blocking=False):
            raise RuntimeError("Another LocalAws is running in this process; moto state is global.")
        from moto.server import ThreadedMotoServer

        # werkzeug logs every request to stderr; the front counts them instead.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        self._moto = moto
        self._front = Front(moto.get_host_and_port(), [self._answer_kiro, self._answer_sso_admin])
        self._front.start()
        self._config_dir = tempfile.TemporaryDirectory(prefix="kiro-local-aws-")
        self.reset()

    def close(self) -> None:
        """Stop the front (ending stalls) and moto; safe to call twice."""
        if self._front is not None:
            self._front.close()
            self._front = None
        if self._moto is not None:
            self._moto.stop()  # type: ignore[attr-defined]
            self._moto = None
            _RUNNING.release()
        if self._config_dir is not None:
            self._config_dir.cleanup()
            self._config_dir = None

    def reset(self, scenario: Scenario | None = None) -> None:
        """Empty moto (POST /moto-api/reset) and the fakes, then seed this or the last scenario.

        Switching scenarios this way costs a fraction of a second, against a second for a restart.
        """
        front = self._require_front()
        if scenario is not None:
            self.scenario = scenario
            self._kiro.scenario = scenario
        self._write_config()
        front.faults = None  # neither the reset nor the seeding may trip the scenario's faults
        reset = urllib.request.Request(f"{front.url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(reset, timeout=30):  # noqa: S310 - our own loopback URL
            pass
        self._kiro.state.clear()
        install_test_users()
        teach_service_role_names()
        create_organization()
        self._instances = plan_instances(self.scenario)
        align_moto_instances(self.scenario, self._instances)
        self.directory = seed_directory(self.scenario)
        self.management_role_arn = create_roles(self.scenario, self.session)
        self.kms_key_arn = create_idc_key(self.scenario, self.session)
        self._sso = SsoAdminFake(self._instances, self.kms_key_arn)
        front.faults = FaultInjector(self.scenario, front.stopping)
        front.reset_calls()

    @property
    def endpoint_url(self) -> str:
        """The front's URL: the only AWS endpoint clients should know."""
        return self._require_front().url

    @property
    def instance_arn(self) -> str:
        """The organisation's IDC instance ARN."""
        return self._instances[MANAGEMENT_ACCOUNT][0].arn

    @property
    def identity_store_id(self) -> str:
        """The organisation's identity store id."""
        return self._instances[MANAGEMENT_ACCOUNT][0].identity_store_id

    @property
    def kiro_state(self) -> KiroState:
        """The Kiro fake's in-memory profiles and assignments."""
        return self._kiro.state

    @property
    def calls(self) -> Counter[tuple[str, str]]:
        """Requests seen per (service, operation) since the last reset."""
        return self._require_front().calls

    @property
    def actions(self) -> Counter[tuple[str, str]]:
        """IAM actions requested per (caller ARN, action) since the last reset."""
        return self._require_front().actions

    def reset_calls(self) -> None:
        """Zero the call counts."""
        self._require_front().reset_calls()

    def env(self, account: AccountName | None = None) -> dict[str, str]:
        """The environment a CLI subprocess or in-process run needs to reach this AWS."""
        credentials = CREDENTIALS[account or self.scenario.caller]
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "AWS_DEFAULT_REGION": self.scenario.default_region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def session(self, account: AccountName | None = None) -> boto3.Session:
        """A boto3 session whose every client talks to the front, whatever the environment says."""
        name = account or self.scenario.caller
        credentials = CREDENTIALS[name]
        return boto3.Session(
            botocore_session=self._core_session(name),
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
        )

    def assumed_session(
        self, role_arn: str, account: AccountName | None = None, session_name: str = "kiro"
    ) -> boto3.Session:
        """A session on the front with credentials from sts:AssumeRole, which moto maps itself."""
        sts = self.session(account).client("sts")
        assumed = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
        return boto3.Session(
            botocore_session=self._core_session(account or self.scenario.caller),
            aws_access_key_id=assumed["AccessKeyId"],
            aws_secret_access_key=assumed["SecretAccessKey"],
            aws_session_token=assumed["SessionToken"],
        )

    def account_id(self, account: AccountName | None = None) -> str:
        """The account id behind a name; the caller's by default."""
        return ACCOUNT_IDS[account or self.scenario.caller]

    def _core_session(self, name: AccountName) -> botocore.session.Session:
        """A botocore session reading only our config file, which pins endpoint_url to the front."""
        core = botocore.session.Session(profile=f"local-{name}")
        # Not the user's ~/.aws: clients must never fall back to real AWS endpoints.
        core.set_config_variable("config_file", str(self._config_path))
        core.set_config_variable("credentials_file", str(self._config_path))
        core.register_component("data_loader", self._loader)
        return core

    @property
    def _config_path(self) -> Path:
        """Where the private AWS config file lives."""
        if self._config_dir is None:
            raise RuntimeError("LocalAws is not running: use `with LocalAws(...)` or start().")
        return Path(self._config_dir.name) / "config"

    def _write_config(self) -> None:
        """Write one profile per account, each pinned to the front and the default region."""
        sections = [
            f"[profile local-{name}]\nendpoint_url = {self.endpoint_url}\n"
            f"region = {self.scenario.default_region}\n"
            for name in CREDENTIALS
        ]
        self._config_path.write_text("\n".join(sections), encoding="utf-8")

    def _require_front(self) -> Front:
        """The running front, or a clear error when used before start()."""
        if self._front is None:
            raise RuntimeError("LocalAws is not running: use `with LocalAws(...)` or start().")
        return self._front

    def _find_store(self, instance_arn: str) -> object:
        """The identity store behind an instance ARN, for the Kiro fake."""
        return find_store(self.scenario, self._instances, instance_arn)

    def _answer_kiro(
        self, request: WireRequest, service: str, operation: str
    ) -> WireResponse | None:
        """Kiro's endpoints, routed by target prefix or signing name."""
        return self._kiro.handle(request) if is_kiro_request(request) else None

    def _answer_sso_admin(
        self, request: WireRequest, service: str, operation: str
    ) -> WireResponse | None:
        """sso-admin's instance calls; identity stores only in their region, big lists fast."""
        auth = request.authorization
        region = auth.region if auth else self.scenario.default_region
        principal = find_principal(auth.access_key_id) if auth else None
        account_id = principal.account_id if principal else self.scenario.caller_account
        if service == "identitystore":
            wrong_region = self._sso.check_store_region(request, region)
            return wrong_region or self._identity.handle(request, operation, account_id, region)
        if service != "sso-admin" or operation not in OPERATIONS:
            return None
        if f"{service}:{operation}" in self.scenario.unimplemented:
            return None  # moto's own answer: HTTP 500, "has not been implemented"
        return self._sso.handle(request, operation, account_id, region)


def _store_in(account_id: str, region: str, store_id: str) -> object:
    """moto's identity store for an account and region, or None."""
    from moto.backends import get_backend

    return get_backend("identitystore")[account_id][region].identity_stores.get(store_id)
