"""Turn botocore's exceptions into the tool's errors, naming the API, account, region and action."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kiro_bootstrap.errors import AwsPreconditionError, ConfigError, UnavailableError

# Error codes AWS uses when the caller lacks a permission (per protocol and service).
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
    }
)
# Codes for credentials AWS does not accept: a permission would not help.
REJECTED_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
    }
)
# Throttling codes: botocore retries these itself; reaching us means the retries ran out.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestThrottled",
        "RequestThrottledException",
    }
)
SERVER_ERROR_STATUS = 500
ACCESS_DENIED = "access denied"
THROTTLED = "throttled"
NOT_IMPLEMENTED = "not implemented by the endpoint"
_PERFORM_ACTION = re.compile(r"perform: ([A-Za-z0-9-]+:[A-Za-z0-9]+)")
UNKNOWN_ACCOUNT = "(account not yet known)"


@dataclass(frozen=True)
class AwsCall:
    """Which API a call is, and where: everything an error message must name."""

    service: str
    operation: str
    region: str
    account: str
    action: str  # the IAM action, e.g. sso:DescribeInstance

    @property
    def api(self) -> str:
        """`sso-admin DescribeInstance`."""
        return f"{self.service} {self.operation}"

    def failure(self, reason: str) -> CallFailure:
        """This call failed for `reason`."""
        return CallFailure(self.api, self.action, reason, self.describe())

    def describe(self) -> str:
        """`sso-admin DescribeInstance in account 1234 (region ap-southeast-2)`."""
        where = f" in account {self.account}" if self.account != UNKNOWN_ACCOUNT else ""
        return f"{self.service} {self.operation}{where} (region {self.region})"


@dataclass(frozen=True)
class CallFailure:
    """Why one AWS call failed, for a preflight check that reports it and runs on."""

    api: str  # `sso-admin DescribeInstance`
    action: str  # the IAM action, `sso:DescribeInstance`
    reason: str  # "access denied", "throttled", "not implemented by the endpoint", …
    where: str = ""  # `sso-admin DescribeInstance in account 1234 (region ap-southeast-2)`

    @property
    def denied(self) -> bool:
        """True when a missing IAM permission caused it."""
        return self.reason == ACCESS_DENIED

    def to_json(self) -> dict[str, str]:
        """The shape preflight's JSON shows."""
        return {"api": self.api, "action": self.action, "reason": self.reason, "where": self.where}


class AwsCallError(AwsPreconditionError):
    """An AWS call refused for a reason of its own (exit 10), naming what failed."""

    def __init__(self, message: str, failure: CallFailure, **kwargs: str | None) -> None:
        """Keep the failure beside the message."""
        super().__init__(message, **kwargs)
        self.failure = failure


class AwsUnavailableError(UnavailableError):
    """An AWS call that kept failing on AWS's side (exit 4), naming what failed."""

    def __init__(self, message: str, failure: CallFailure, **kwargs: str | None) -> None:
        """Keep the failure beside the message."""
        super().__init__(message, **kwargs)
        self.failure = failure


def error_code(error: BaseException) -> str:
    """The AWS error code of a ClientError, or '' for anything else."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def translate(error: Exception, call: AwsCall) -> Exception:
    """The domain error for a botocore exception, or the exception itself when not ours."""
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        return _translate_client_error(error, call)
    return _translate_transport(error, call) or _translate_credentials(error, call) or error


def _translate_transport(error: Exception, call: AwsCall) -> Exception | None:
    """Timeouts and connection failures: exit 4."""
    from botocore import exceptions as bx

    if isinstance(error, bx.ReadTimeoutError | bx.ConnectTimeoutError):
        return AwsUnavailableError(
            f"AWS did not answer {call.describe()} in time.",
            call.failure("timed out"),
            hint="Retry later; check the network, proxy and network.read_timeout.",
        )
    if isinstance(error, bx.EndpointConnectionError | bx.ConnectionError):
        return AwsUnavailableError(
            f"Could not connect to AWS for {call.describe()}: {error}.",
            call.failure("could not connect"),
            hint="Retry later; check the network, proxy and AWS_ENDPOINT_URL.",
        )
    return None


def _translate_credentials(error: Exception, call: AwsCall) -> Exception | None:
    """Missing credentials or profile, expired SSO sign-in."""
    from botocore import exceptions as bx

    if isinstance(error, bx.NoCredentialsError):
        return AwsPreconditionError(
            f"No AWS credentials for {call.describe()}.",
            hint="Set [aws] profile or AWS_PROFILE, or sign in with `aws sso login`.",
        )
    if isinstance(error, bx.ProfileNotFound):
        return ConfigError(
            f"AWS profile not found: {error}.",
            hint="Fix [aws] profile or AWS_PROFILE to name a profile in ~/.aws/config.",
        )
    if isinstance(error, bx.TokenRetrievalError | bx.SSOError):
        return AwsPreconditionError(
            f"The AWS SSO sign-in for {call.describe()} has expired or is missing.",
            hint="Run `aws sso login` for the profile, then try again.",
        )
    return None


def _translate_client_error(error: Exception, call: AwsCall) -> Exception:
    """ClientError by its code: denied → exit 10, throttled or 5xx → exit 4, else exit 10."""
    code = error_code(error)
    message = str(getattr(error, "response", {}).get("Error", {}).get("Message", ""))
    status = int(
        getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    )
    if code in ACCESS_DENIED_CODES:
        named = _PERFORM_ACTION.search(message)
        action = named.group(1) if named else call.action
        return AwsCallError(
            f"AWS denied {call.describe()}: the caller lacks the IAM action {action}.",
            CallFailure(call.api, action, ACCESS_DENIED, call.describe()),
            hint=f"Grant {action} to the identity you run as (or run as one that has it).",
            code="aws-access-denied",
        )
    if code in REJECTED_CREDENTIAL_CODES:
        return rejected_credentials(call.describe(), code)
    if code in THROTTLING_CODES or status >= SERVER_ERROR_STATUS:
        return AwsUnavailableError(
            f"AWS kept refusing {call.describe()} ({code or status}) after retries.",
            call.failure(_unavailable_reason(code, status)),
            hint="Retry later.",
        )
    return AwsCallError(
        f"{call.describe()} failed: {code}: {message}",
        call.failure(f"{code}: {message}"[:200]),
        hint=f"Check that {call.action} is allowed and the resource exists.",
        code=code or None,  # callers tell e.g. ResourceNotFoundException apart by it
    )


def _unavailable_reason(code: str, status: int) -> str:
    """Throttled, or a server error; a bare 5xx with no AWS error code is an unimplemented API.

    AWS itself always names a 5xx (InternalFailure, ServiceUnavailable…); an emulator or proxy
    that lacks the operation answers a plain HTTP 500 page, which botocore reports as code '500'.
    """
    if code in THROTTLING_CODES:
        return THROTTLED
    if not code or code == str(status):
        return f"{NOT_IMPLEMENTED} (HTTP {status} without an AWS error)"
    return f"server error {code} (HTTP {status})"


def rejected_credentials(where: str, code: str) -> AwsPreconditionError:
    """AWS did not accept the credentials themselves (expired, unknown or mis-signed)."""
    return AwsPreconditionError(
        f"AWS rejected the credentials for {where} ({code}).",
        hint="Refresh the credentials (e.g. `aws sso login`) or check [aws] profile / AWS_PROFILE.",
        code="aws-credentials-rejected",
    )


@contextmanager
def translating(call: AwsCall) -> Iterator[None]:
    """Raise the domain error for any botocore failure inside the block."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        translated = translate(error, call)
        if translated is error:
            raise
        raise translated from error
