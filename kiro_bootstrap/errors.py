"""The error model: one root exception, a few meaningful kinds, one table of exit codes."""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar

from kiro_bootstrap.redact import redact


class ExitStatus(IntEnum):
    """Every exit code the tool returns; MDM scripts key on these, so they never change."""

    OK = 0
    INTERNAL_ERROR = 1
    USAGE = 2
    HOST_UNSUPPORTED = 3
    UNAVAILABLE = 4
    VERIFICATION_FAILED = 5
    INSTALL_FAILED = 6
    RETRY_LATER = 7
    NOT_SUBSCRIBED = 8
    CANNOT_WORK_AS_SET_UP = 9
    AWS_PRECONDITION = 10
    NOT_INSTALLED = 11
    DRIFTED = 12
    INTERRUPTED = 130


class KiroBootstrapError(Exception):
    """Root of every error the tool expects; `main()` turns it into one sentence and a code."""

    exit_status: ClassVar[ExitStatus] = ExitStatus.INTERNAL_ERROR
    default_code: ClassVar[str] = "internal"

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        # Messages reach the terminal, JSON, logs and status files: no credential survives.
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.hint = redact(hint) if hint is not None else None
        self.code = code or self.default_code


class UsageError(KiroBootstrapError):
    """A bad option, value or configuration: permanent until the input changes."""

    exit_status = ExitStatus.USAGE
    default_code = "usage"


class ConfigError(UsageError):
    """The organisation or user configuration is invalid."""

    default_code = "config"


class HostUnsupportedError(KiroBootstrapError):
    """Kiro cannot run on this host (OS, architecture, C library)."""

    exit_status = ExitStatus.HOST_UNSUPPORTED
    default_code = "host-unsupported"


class UnavailableError(KiroBootstrapError):
    """A network or service failure worth retrying later."""

    exit_status = ExitStatus.UNAVAILABLE
    default_code = "unavailable"


class VerificationError(KiroBootstrapError):
    """Something we were about to trust failed a check; we fail closed."""

    exit_status = ExitStatus.VERIFICATION_FAILED
    default_code = "verification-failed"


class InstallError(KiroBootstrapError):
    """The install failed and the previous state was restored."""

    exit_status = ExitStatus.INSTALL_FAILED
    default_code = "install-failed"


class RetryLaterError(KiroBootstrapError):
    """Not now: Kiro is running, another run holds the lock, or nobody is signed in."""

    exit_status = ExitStatus.RETRY_LATER
    default_code = "retry-later"


class NotSubscribedError(KiroBootstrapError):
    """The user has no Kiro subscription in the organisation's roster."""

    exit_status = ExitStatus.NOT_SUBSCRIBED
    default_code = "not-subscribed"


class DeploymentError(KiroBootstrapError):
    """This deployment cannot work as set up (needs root, system scope on Windows, …)."""

    exit_status = ExitStatus.CANNOT_WORK_AS_SET_UP
    default_code = "cannot-work-as-set-up"


class AwsPreconditionError(KiroBootstrapError):
    """An AWS permission or precondition is missing (admin side)."""

    exit_status = ExitStatus.AWS_PRECONDITION
    default_code = "aws-precondition"
