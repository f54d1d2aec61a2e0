"""The AWS session factory: one per run, boto3 imported lazily, the standard environment honoured.

The run's environment (`ctx.environ`, not `os.environ`) decides: `AWS_PROFILE`, `AWS_REGION` /
`AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL`, the key variables, `AWS_CONFIG_FILE`,
`AWS_SHARED_CREDENTIALS_FILE` and `AWS_MAX_ATTEMPTS`. `[aws] profile` wins over `AWS_PROFILE`.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiro_bootstrap import NAME, __version__
from kiro_bootstrap.aws.errors import UNKNOWN_ACCOUNT, AwsCall, translating

if TYPE_CHECKING:
    import boto3

    from kiro_bootstrap.context import Context
    from kiro_bootstrap.settings.model import Settings

# Where iam, sts and organizations are called: their global endpoints live behind it.
GLOBAL_REGION = "us-east-1"
DEFAULT_MAX_ATTEMPTS = 5
RETRY_MODE = "adaptive"  # client-side rate limiting on top of standard retries
CONNECTIONS_PER_CLIENT = 16  # at least the threads that share a client (directory reads, S3 writes)
ASSUMED_SESSION_NAME = NAME
# Variables copied from the run's environment into the botocore session's own config.
_FILE_VARIABLES = {
    "AWS_CONFIG_FILE": "config_file",
    "AWS_SHARED_CREDENTIALS_FILE": "credentials_file",
}


@dataclass(frozen=True)
class AwsSettings:
    """What the session factory takes from the settings and the environment, resolved once."""

    profile: str | None
    profile_source: str  # "[aws] profile", "AWS_PROFILE" or "default chain"
    region: str
    endpoint_url: str | None
    max_attempts: int
    connect_timeout: float
    read_timeout: float
    ca_bundle: str | None
    proxy: str | None = None  # network.proxy; botocore otherwise reads HTTPS_PROXY itself


def resolve_aws_settings(settings: Settings, environ: Mapping[str, str]) -> AwsSettings:
    """Apply the precedence rules: `[aws] profile` over `AWS_PROFILE`; AWS_REGION over the rest."""
    if settings.aws.profile:
        profile, source = settings.aws.profile, "[aws] profile"
    elif environ.get("AWS_PROFILE"):
        profile, source = environ["AWS_PROFILE"], "AWS_PROFILE"
    else:
        profile, source = None, "default chain"
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or ""
    attempts = environ.get("AWS_MAX_ATTEMPTS", "")
    return AwsSettings(
        profile=profile,
        profile_source=source,
        region=region,
        endpoint_url=environ.get("AWS_ENDPOINT_URL") or None,
        max_attempts=int(attempts)
        if attempts.isdigit() and int(attempts) > 0
        else DEFAULT_MAX_ATTEMPTS,
        connect_timeout=settings.network.connect_timeout,
        read_timeout=settings.network.read_timeout,
        ca_bundle=settings.network.ca_bundle or None,
        proxy=settings.network.proxy or None,
    )


def build_session(config: AwsSettings, environ: Mapping[str, str]) -> boto3.Session:
    """A boto3 session reading this run's environment, not the process's."""
    import boto3
    import botocore.session

    core = botocore.session.Session(profile=config.profile)
    for variable, name in _FILE_VARIABLES.items():
        if environ.get(variable):
            core.set_config_variable(name, environ[variable])
    keys: dict[str, str] = {}
    # An explicit profile beats key variables, as in botocore's own chain.
    if config.profile_source != "[aws] profile" and environ.get("AWS_ACCESS_KEY_ID"):
        keys = {
            "aws_access_key_id": environ["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": environ.get("AWS_SECRET_ACCESS_KEY", ""),
        }
        if environ.get("AWS_SESSION_TOKEN"):
            keys["aws_session_token"] = environ["AWS_SESSION_TOKEN"]
    return boto3.Session(botocore_session=core, region_name=config.region or None, **keys)


class AwsClients:
    """Cached clients per (service, region), call counting and error translation."""

    def __init__(
        self,
        session_factory: Callable[[], boto3.Session],
        config: AwsSettings,
        *,
        account_id: str | None = None,
    ) -> None:
        """Nothing is imported or created until the first client is asked for."""
        self._session_factory = session_factory
        self._session: boto3.Session | None = None
        self.config = config
        self.account_id = account_id
        self._clients: dict[tuple[str, str], Any] = {}
        self.calls: Counter[str] = Counter()
        self._counting = threading.Lock()  # directory reads and S3 writes run on threads
        self._creating = threading.Lock()  # so threads asking at once share one client

    @property
    def session(self) -> boto3.Session:
        """The boto3 session, created on first use."""
        if self._session is None:
            self._session = self._session_factory()
            self._session.events.register("before-call", self._count_call)
        return self._session

    def client(self, service_name: str, region: str | None = None) -> Any:
        """A botocore client for a service in a region (the default region when None)."""
        wanted = region or self.config.region or GLOBAL_REGION
        key = (service_name, wanted)
        with self._creating:
            if key not in self._clients:
                self._clients[key] = self._create_client(service_name, wanted)
        return self._clients[key]

    def _create_client(self, service_name: str, wanted: str) -> Any:
        """A new client with our retries, timeouts, proxy and a pool for the reader threads."""
        from botocore.config import Config  # botocore loads only when AWS is used

        retry = {"mode": RETRY_MODE, "total_max_attempts": self.config.max_attempts}
        client_config = Config(
            retries=retry,  # type: ignore[arg-type]
            connect_timeout=self.config.connect_timeout,
            read_timeout=self.config.read_timeout,
            user_agent_extra=f"{NAME}/{__version__}",
            proxies={"http": self.config.proxy, "https": self.config.proxy}
            if self.config.proxy
            else None,
            max_pool_connections=CONNECTIONS_PER_CLIENT,
        )
        with translating(self._call(service_name, "CreateClient", wanted)):
            return self.session.client(
                service_name,  # type: ignore[call-overload]
                region_name=wanted,
                endpoint_url=self.config.endpoint_url,
                verify=self.config.ca_bundle,
                config=client_config,
            )

    def call(self, service: str, operation: str, region: str | None = None, **params: Any) -> Any:
        """Call one operation (snake_case name) with AWS errors translated."""
        client = self.client(service, region)
        with translating(self.describe_call(client, operation)):
            return getattr(client, operation)(**params)

    def pages(
        self, service: str, operation: str, region: str | None = None, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated operation, with AWS errors translated."""
        client = self.client(service, region)
        with translating(self.describe_call(client, operation)):
            yield from client.get_paginator(operation).paginate(**params)

    def describe_call(self, client: Any, operation: str) -> AwsCall:
        """The AwsCall (API, account, region, IAM action) for an operation on a client."""
        model = client.meta.service_model
        name = model.operation_model(_camel(operation)).name
        return self._call(model.service_name, name, client.meta.region_name, model.signing_name)

    def caller_account(self) -> str:
        """The account the credentials belong to (one sts call, then cached)."""
        if self.account_id is None:
            identity = self.call("sts", "get_caller_identity")
            self.account_id = str(identity["Account"])
        return self.account_id

    def assume_role(self, role_arn: str) -> AwsClients:
        """Clients acting as a role (e.g. in the management account), sharing the call count."""
        credentials = self.call(
            "sts", "assume_role", RoleArn=role_arn, RoleSessionName=ASSUMED_SESSION_NAME
        )["Credentials"]

        def assumed_session() -> boto3.Session:
            import boto3

            return boto3.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
                region_name=self.config.region or None,
            )

        assumed = AwsClients(assumed_session, self.config, account_id=role_arn.split(":")[4])
        assumed.calls, assumed._counting = self.calls, self._counting
        return assumed

    def credentials(self) -> tuple[str, str, str | None]:
        """The frozen access key, secret and token, for signing requests boto3 cannot make."""
        resolved = self.session.get_credentials()
        if resolved is None:
            from botocore.exceptions import NoCredentialsError

            with translating(self._call("sts", "GetCallerIdentity", self.config.region)):
                raise NoCredentialsError
        frozen = resolved.get_frozen_credentials()
        return frozen.access_key or "", frozen.secret_key or "", frozen.token

    def _call(self, service: str, operation: str, region: str, prefix: str = "") -> AwsCall:
        """An AwsCall with this run's account."""
        action = f"{prefix or service}:{operation}"
        return AwsCall(service, operation, region, self.account_id or UNKNOWN_ACCOUNT, action)

    def _count_call(self, model: Any, **_kwargs: Any) -> None:
        """Count one API call (retries are not counted again)."""
        with self._counting:
            self.calls[f"{model.service_model.service_name}:{model.name}"] += 1


def aws_clients(ctx: Context) -> AwsClients:
    """AwsClients for this run: the injected session factory, else one from the environment."""
    config = resolve_aws_settings(ctx.settings, ctx.environ)
    environ = dict(ctx.environ)
    factory = ctx.env.aws_session or (lambda: build_session(config, environ))
    return AwsClients(factory, config)


def _camel(operation: str) -> str:
    """`describe_instance` → `DescribeInstance` (botocore's model names)."""
    return "".join(part[:1].upper() + part[1:] for part in operation.split("_"))
