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

    def describe(self) -> str:
        """`sso-admin DescribeInstance in account 1234 (region ap-southeast-2)`."""
        where = f" in account {self.account}" if self.account != UNKNOWN_ACCOUNT else ""
        return f"{self.service} {self.operation}{where} (region {self.region})"


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
        return UnavailableError(
            f"AWS did not answer {call.describe()} in time.",
            hint="Retry later; check the network, proxy and network.read_timeout.",
        )
    if isinstance(error, bx.EndpointConnectionError | bx.ConnectionError):
        return UnavailableError(
            f"Could not connect to AWS for {call.describe()}: {error}.",
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
        return AwsPreconditionError(
            f"AWS denied {call.describe()}: the caller lacks the IAM action {action}.",
            hint=f"Grant {action} to the identity you run as (or run as one that has it).",
            code="aws-access-denied",
        )
    if code in REJECTED_CREDENTIAL_CODES:
        return rejected_credentials(call.describe(), code)
    if code in THROTTLING_CODES or status >= SERVER_ERROR_STATUS:
        return UnavailableError(
            f"AWS kept refusing {call.describe()} ({code or status}) after retries.",
            hint="Retry later.",
        )
    return AwsPreconditionError(
        f"{call.describe()} failed: {code}: {message}",
        hint=f"Check that {call.action} is allowed and the resource exists.",
        code=code or None,  # callers tell e.g. ResourceNotFoundException apart by it
    )


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
