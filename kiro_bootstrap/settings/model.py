"""The one settings model: every key the organisation, the MDM policy or a person can set."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import Annotated, Any, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiro_bootstrap.settings.regions import KIRO_CONSOLE_REGIONS, is_known_region
from kiro_bootstrap.settings.targets import Target

MAX_VALUE_LENGTH = 2048
ENV_PREFIX = "KIRO_BOOTSTRAP_"
ENV_NESTED_DELIMITER = "__"
OFFICIAL_RELEASE_URL = "https://prod.download.desktop.kiro.dev"
PLANS = ("pro", "pro-plus", "power")
ED25519_PREFIX = "ed25519:"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# httpx speaks SOCKS only with an extra we do not ship; Kiro (Electron) takes http(s) proxies.
PROXY_SCHEMES = ("http", "https")

SigninMethod = Literal["idc", "external_idp", "builder_id", "google", "github", "social"]
MAX_METHODS_PER_RULE = 16  # Kiro's limit on the names one managed-settings rule may list
Plan = Literal["pro", "pro-plus", "power"]


def is_loopback_host(host: str) -> bool:
    """True for localhost and loopback addresses, the only places plain http is allowed."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _split_url(value: str, example: str) -> SplitResult:
    """Split a URL, refusing what urllib would misread: a bad port, a "/" in a password."""
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - urllib checks the port only when asked for it
    except ValueError:
        raise ValueError(f"has an invalid port (use a URL such as {example})") from None
    if not parts.hostname:
        raise ValueError(f"must be a full URL such as {example}")
    if "@" in parts.netloc and "@" in value.partition(parts.netloc)[2]:
        raise ValueError(
            "has an '@' after its host: a password holding '/' or '@' must be percent-encoded "
            "(%2F, %40)"
        )
    return parts


def check_url(value: str, *, allow_loopback_http: bool) -> str:
    """Accept https URLs (and http on loopback when allowed); say which rule failed."""
    parts = _split_url(value, "https://host/path")
    if parts.scheme == "https":
        return value
    if parts.scheme == "http" and allow_loopback_http and is_loopback_host(parts.hostname or ""):
        return value
    raise ValueError("must use https (plain http is allowed only on loopback)")


def _https_url(value: str) -> str:
    return check_url(value, allow_loopback_http=False)


def _release_url(value: str) -> str:
    return check_url(value, allow_loopback_http=True).rstrip("/")


def _region(value: str) -> str:
    if not is_known_region(value):
        raise ValueError(f"{value!r} is not an AWS region")
    return value


def _fingerprint(value: str) -> str:
    normalised = value.replace(":", "").strip().lower()
    if not _SHA256.match(normalised):
        raise ValueError("must be a SHA-256 fingerprint: 64 hex digits, colons allowed")
    return normalised


HttpsUrl = Annotated[str, AfterValidator(_https_url)]
ReleaseUrl = Annotated[str, AfterValidator(_release_url)]
Region = Annotated[str, AfterValidator(_region)]
Sha256 = Annotated[str, AfterValidator(_fingerprint)]
# A DNS host name, compared case-insensitively (stored in lower case).
HostName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
    ),
    AfterValidator(str.lower),
]


def _check_text(value: Any) -> Any:
    """Reject control characters and over-long strings anywhere inside a value."""
    if isinstance(value, str):
        if len(value) > MAX_VALUE_LENGTH:
            raise ValueError(f"is longer than {MAX_VALUE_LENGTH} characters")
        if _CONTROL_CHARACTERS.search(value):
            raise ValueError("contains control characters")
    elif isinstance(value, list | tuple):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    return value


class Section(BaseModel):
    """A settings table: unknown keys are errors, strings are bounded and printable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _bounded_text(cls, value: Any) -> Any:
        return _check_text(value)


class IdentityCenter(Section):
    """The organisation's IAM Identity Center."""

    start_url: HttpsUrl | None = None
    region: Region | None = None
    instance_arn: str | None = None
    identity_store_id: str | None = Field(
        default=None, pattern=r"^(d-[0-9a-f]{10}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$"
    )
    restrict_signin: bool = False  # an alias of signin_methods = ["idc"]
    signin_methods: list[SigninMethod] | None = Field(
        default=None, min_length=1, max_length=MAX_METHODS_PER_RULE
    )
    signin_help_url: HttpsUrl | None = None
    external_idp_domain: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)+$"
    )
    external_idp_start_url: HttpsUrl | None = None
    external_idp_region: Region | None = None
    sso_session_name: str = Field(default="kiro", pattern=r"^[A-Za-z0-9_.-]+$")
    registration_scopes: list[str] = ["sso:account:access"]

    @field_validator("start_url")
    @classmethod
    def _normalise_start_url(cls, value: str | None) -> str | None:
        # People paste the portal URL with a trailing "/" or the SPA's "#/".
        if value is None:
            return None
        return value.split("#", 1)[0].rstrip("/")

    @model_validator(mode="after")
    def _one_signin_rule(self) -> IdentityCenter:
        if self.restrict_signin and self.signin_methods not in (None, ["idc"]):
            raise ValueError("restrict_signin (IDC only) contradicts signin_methods; keep one")
        return self

    @property
    def allowed_signin_methods(self) -> list[str] | None:
        """The sign-in methods Kiro may offer (None: all of them)."""
        if self.signin_methods is not None:
            return list(dict.fromkeys(self.signin_methods))
        return ["idc"] if self.restrict_signin else None


class Telemetry(Section):
    """Kiro's telemetry switches; unset keys are left to the person."""

    usage_analytics: bool | None = None
    content_collection: bool | None = None
    prompt_logging: bool | None = None
    edit_stats: bool | None = None
    feedback: bool | None = None


class ExtensionGallery(Section):
    """An internal extension registry, written as policy beside UpdateUrl."""

    service_url: HttpsUrl | None = None
    item_url: HttpsUrl | None = None


LINUX_POLICY_FILE = "/etc/kiro/policy.json"


class Kiro(Section):
    """The Kiro profile and IDE behaviour."""

    profile_region: str = "us-east-1"
    update_mode: Literal["default", "none", "manual", "start"] | None = None
    update_url: HttpsUrl | None = None
    version_field: str = "version"
    extension_gallery: ExtensionGallery = ExtensionGallery()
    # Where Kiro's policies go; both unverified for Kiro (FACTS §5), hence settings.
    linux_policy_file: str = Field(default=LINUX_POLICY_FILE, pattern=r"^/.*\.json$")
    macos_policy_delivery: Literal["managed-preferences", "preferences", "profile"] = (
        "managed-preferences"
    )
    plan_ids: dict[Plan, str] = {
        "pro": "Q_DEVELOPER_STANDALONE_PRO",
        "pro-plus": "Q_DEVELOPER_STANDALONE_PRO_PLUS",
        "power": "Q_DEVELOPER_STANDALONE_POWER",
    }
    telemetry: Telemetry = Telemetry()

    @field_validator("profile_region")
    @classmethod
    def _console_region(cls, value: str) -> str:
        if value not in KIRO_CONSOLE_REGIONS:
            raise ValueError(
                f"{value!r} is not a Kiro console region (use {' or '.join(KIRO_CONSOLE_REGIONS)})"
            )
        return value


class Signing(Section):
    """What a downloaded build must be signed by."""

    # "auto": pinned when run as root/Administrator, "any" for a person's own install.
    linux_trust: Literal["auto", "pinned", "first-use", "any"] = "auto"
    require_pins: bool = False  # deprecated alias of linux_trust = "pinned"
    linux_cert_sha256: list[Sha256] = []
    macos_team_id: str = Field(default="94KV3E626L", pattern=r"^[A-Z0-9]{10}$")
    windows_publishers: list[str] = ["Amazon.com, Inc."]
    windows_thumbprints: list[str] = []


class Release(Section):
    """Where Kiro builds come from and which one to take."""

    base_url: ReleaseUrl = OFFICIAL_RELEASE_URL
    channel: str = Field(default="stable", pattern=r"^[a-z]+$")
    version: str = "latest"
    allowed_hosts: list[str] = []
    sha256: dict[Target, Sha256] = {}
    signing: Signing = Signing()

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value != "latest" and not _VERSION.match(value):
            raise ValueError("must be 'latest' or a version such as 1.0.309")
        return value

    @model_validator(mode="after")
    def _pins_need_a_version(self) -> Release:
        if self.sha256 and self.version == "latest":
            raise ValueError("sha256 pins need a pinned release.version, not 'latest'")
        return self

    @property
    def pinned(self) -> bool:
        """True when a specific version is pinned."""
        return self.version != "latest"


class Network(Section):
    """How to reach the network."""

    proxy: str = ""
    ca_bundle: str = ""
    proxy_strict_ssl: bool = True
    no_proxy: list[str] = []  # hosts Kiro reaches directly (NO_PROXY); loopback always
    kiro_system_ca: bool = False  # Kiro trusts the OS store (NODE_USE_SYSTEM_CA=1)
    # doctor's firewall table, overridden: "runtime" → "runtime.{region}.kiro.dev" etc.
    service_hosts: dict[str, str] = {}
    connect_timeout: float = Field(default=10.0, gt=0, le=300)
    read_timeout: float = Field(default=30.0, gt=0, le=600)
    # Overall limits of a download (fetch/pace.py): slower than this over a window is exit 4.
    min_rate_bytes_per_second: int = Field(default=16384, ge=1)
    min_rate_window_seconds: float = Field(default=120.0, gt=0, le=3600)

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: str) -> str:
        if not value:
            return value
        example = "http://proxy.example.com:8080"
        scheme = urlsplit(value).scheme
        if scheme not in PROXY_SCHEMES:
            raise ValueError(
                f"uses {scheme or 'no'} scheme; only http:// and https:// proxies are supported "
                f"(such as {example})"
            )
        _split_url(value, example)
        return value


class Install(Section):
    """Where and how Kiro is installed."""

    scope: Literal["auto", "user", "system"] = "auto"
    process_names: list[str] | None = None

    @field_validator("process_names")
    @classmethod
    def _never_the_cli(cls, value: list[str] | None) -> list[str] | None:
        # Kiro CLI is another product: closing it would kill a person's terminal session.
        if value and any(name.lower().startswith("kiro-cli") for name in value):
            raise ValueError("must not name kiro-cli processes (Kiro CLI is not the IDE)")
        return value


class McpServer(Section):
    """One MCP server: a local command or a remote URL."""

    command: str | None = None
    args: list[str] = []
    env: dict[str, str] = {}
    url: HttpsUrl | None = None
    headers: dict[str, str] = {}
    disabled: bool = False
    auto_approve: list[str] = []
    disabled_tools: list[str] = []

    @model_validator(mode="after")
    def _command_or_url(self) -> McpServer:
        if (self.command is None) == (self.url is None):
            raise ValueError("needs exactly one of command or url")
        return self


class Mcp(Section):
    """MCP servers the organisation shares."""

    servers: dict[str, McpServer] = {}


# Documents (steering, templates, hooks) may be multi-line TOML strings: a larger bound.
MAX_TEMPLATE_LENGTH = 32768
_CONTROL_EXCEPT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DocumentSection(Section):
    """A table whose values are documents (path or text): multi-line, up to 32 KiB each."""

    @field_validator("*", mode="before")
    @classmethod
    def _bounded_text(cls, value: Any) -> Any:
        # Overrides Section's check: document texts may be multi-line and longer than 2048.
        if not isinstance(value, dict):
            return _check_text(value)
        _check_text(list(value))  # names stay short and printable
        for text in value.values():
            if not isinstance(text, str):
                continue
            if len(text) > MAX_TEMPLATE_LENGTH:
                raise ValueError(f"is longer than {MAX_TEMPLATE_LENGTH} characters")
            if _CONTROL_EXCEPT_LAYOUT.search(text):
                raise ValueError("contains control characters")
        return value


class Steering(DocumentSection):
    """Steering files the organisation ships: name → path or text."""

    files: dict[str, str] = {}


class Repo(DocumentSection):
    """What `repo init` scaffolds in a team's Git repository."""

    steering_templates: dict[str, str] = {}  # name → path or text (.kiro/steering/NAME.md)
    hooks: dict[str, str] = {}  # name → path or JSON text (.kiro/hooks/NAME.kiro.hook)
    # Exact host names taken as a forge beside github.com and gitlab.com.
    github_hosts: list[HostName] = []  # GitHub Enterprise Server
    gitlab_hosts: list[HostName] = []  # self-managed GitLab
    gitlab_mcp_package: str | None = Field(default=None, pattern=r"^@?[a-z0-9][\w./@-]*$")
    mcp_servers: list[str] = []  # names from [mcp.servers] shared in .kiro/settings/mcp.json


class Aws(Section):
    """How the admin side reaches AWS."""

    profile: str | None = None
    management_role_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"
    )


class Assignment(Section):
    """One Kiro subscription to apply: a group or a user, and a plan."""

    group: str | None = None
    user: str | None = None
    plan: Plan

    @model_validator(mode="after")
    def _group_or_user(self) -> Assignment:
        if (self.group is None) == (self.user is None):
            raise ValueError("needs exactly one of group or user")
        return self


class Kms(Section):
    """The key-policy statement Kiro needs when IDC uses a customer managed key."""

    statement: dict[str, Any] | None = None
    add_source_account_condition: bool = True


class Subscription(Section):
    """Where developers' machines confirm a subscription."""

    roster_url: str | None = None
    public_keys: list[str] = []
    required: bool = True
    request_url: HttpsUrl | None = None
    email_domain: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
    max_age_days: int = Field(default=7, ge=1, le=365)

    @field_validator("public_keys")
    @classmethod
    def _ed25519_keys(cls, value: list[str]) -> list[str]:
        # The form `admin roster keygen` prints: "ed25519:" + base64 of the 32-byte raw key.
        for key in value:
            raw = key.removeprefix(ED25519_PREFIX)
            try:
                ok = (
                    key.startswith(ED25519_PREFIX)
                    and len(base64.b64decode(raw, validate=True)) == 32
                )
            except (binascii.Error, ValueError):
                ok = False
            if not ok:
                raise ValueError(f"{key[:24]!r} is not an Ed25519 public key (ed25519:<base64>)")
        return value

    @field_validator("roster_url")
    @classmethod
    def _roster_location(cls, value: str | None) -> str | None:
        # A local path (a file share) is fine; a URL must be https or loopback http.
        if value is None or "://" not in value:
            return value
        return check_url(value, allow_loopback_http=True)


class Settings(BaseModel):
    """Every effective setting; built once per run by `settings.load` from every layer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    identity_center: IdentityCenter = IdentityCenter()
    kiro: Kiro = Kiro()
    release: Release = Release()
    network: Network = Network()
    install: Install = Install()
    mcp: Mcp = Mcp()
    steering: Steering = Steering()
    aws: Aws = Aws()
    assignments: list[Assignment] = []
    kms: Kms = Kms()
    subscription: Subscription = Subscription()
    repo: Repo = Repo()

    @field_validator("repo")
    @classmethod
    def _shared_servers_exist(cls, value: Repo, info: ValidationInfo) -> Repo:
        # `mcp` is declared before `repo`, so it is already validated here.
        mcp = info.data.get("mcp")
        known = mcp.servers if isinstance(mcp, Mcp) else {}
        unknown = [name for name in value.mcp_servers if name not in known]
        if unknown:
            names = ", ".join(map(repr, unknown))
            raise ValueError(f"mcp_servers names {names}, which [mcp.servers] does not define")
        return value
