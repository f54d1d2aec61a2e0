"""Pure parsers for what macOS tells us: sw_vers, sysctl, scutil --proxy, the console owner."""

from __future__ import annotations

from dataclasses import dataclass

from kiro_bootstrap.host.facts import ProxySettings
from kiro_bootstrap.host.proxy import convert_bypass_list

# /dev/console belongs to root at the login window and to _mbsetupuser in Setup Assistant:
# in both cases nobody we could install for is signed in.
NOT_A_PERSON = frozenset({"", "root", "_mbsetupuser", "loginwindow"})


@dataclass(frozen=True)
class SwVers:
    """The parts of `sw_vers` output we use."""

    product_name: str  # "macOS" (11+) or "Mac OS X"
    version: str  # "14.5"
    build: str | None  # "23F79"

    @property
    def display_name(self) -> str:
        """The name people use: "macOS 14.5"."""
        return f"{self.product_name} {self.version}".strip()


def parse_colon_lines(text: str) -> dict[str, str]:
    """Parse "Key:<tabs>value" lines (sw_vers, sysctl without -n) into a dict."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, separator, value = line.partition(":")
        if separator and key.strip():
            values[key.strip()] = value.strip()
    return values


def parse_sw_vers(text: str) -> SwVers:
    """Parse `sw_vers` (ProductName / ProductVersion / BuildVersion)."""
    values = parse_colon_lines(text)
    version = values.get("ProductVersion", "")
    # Rapid Security Responses add "(a)" in ProductVersionExtra; the build already tells them apart.
    return SwVers(
        product_name=values.get("ProductName", "macOS"),
        version=version,
        build=values.get("BuildVersion") or None,
    )


def parse_sysctl(text: str) -> dict[str, str]:
    """`sysctl name...` output; names macOS does not know are simply absent."""
    return parse_colon_lines(text)


def arch_from_sysctl(process_arch: str, values: dict[str, str]) -> tuple[str, bool]:
    """(native arch, translated) from sysctl.proc_translated and hw.optional.arm64.

    Under Rosetta 2 the process sees x86_64 while proc_translated is 1; on Intel Macs neither
    name exists.
    """
    translated = values.get("sysctl.proc_translated") == "1"
    apple_silicon = translated or values.get("hw.optional.arm64") == "1"
    return ("arm64" if apple_silicon else process_arch), translated


def console_user_from_owner(owner: str | None) -> str | None:
    """The owner of /dev/console (as `stat -f%Su /dev/console` prints) -> a person, or None."""
    name = (owner or "").strip()
    return None if name in NOT_A_PERSON else name


def _parse_scutil_dictionary(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Top-level scalars and arrays of `scutil --proxy` output.

    Nested dictionaries (the per-interface "__SCOPED__" copies) are skipped: the top level
    is the primary service's effective configuration.
    """
    scalars: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    depth = 0
    array: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line == "}":
            depth -= 1
            if depth <= 1:
                array = None
            continue
        key, separator, value = line.partition(" : ")
        opens = line.endswith("{")
        if separator and depth == 1:
            if value == "<array> {":
                array = arrays.setdefault(key, [])
            elif not opens:
                scalars[key] = value
        elif separator and depth == 2 and array is not None:
            array.append(value)
        if opens:
            depth += 1
    return scalars, arrays


def _server(scalars: dict[str, str], prefix: str) -> str | None:
    if scalars.get(f"{prefix}Enable") != "1" or not scalars.get(f"{prefix}Proxy"):
        return None
    port = scalars.get(f"{prefix}Port")
    host = scalars[f"{prefix}Proxy"]
    return f"http://{host}:{port}" if port else f"http://{host}"


def parse_scutil_proxy(text: str) -> ProxySettings:
    """Parse `scutil --proxy`: the proxies of the primary network service."""
    scalars, arrays = _parse_scutil_dictionary(text)
    http = _server(scalars, "HTTP")
    https = _server(scalars, "HTTPS")
    pac_url = None
    if scalars.get("ProxyAutoConfigEnable") == "1":
        pac_url = scalars.get("ProxyAutoConfigURLString") or None
    auto_detect = scalars.get("ProxyAutoDiscoveryEnable") == "1"
    if not (http or https or pac_url or auto_detect):
        return ProxySettings()
    return ProxySettings(
        http=http,
        https=https,
        no_proxy=convert_bypass_list(arrays.get("ExceptionsList", [])),
        pac_url=pac_url,
        source="macos-system",
        auto_detect=auto_detect,
    )
