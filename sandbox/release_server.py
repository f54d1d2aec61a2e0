"""A local Kiro release host on 127.0.0.1, in-process or as `python -m sandbox.release_server`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from sandbox.faults import Fault
from sandbox.http_resources import ETAG_HEX_DIGITS, Resource, bytes_resource, content_type_for
from sandbox.release_handler import CONTROL_PREFIX, SandboxHTTPServer
from sandbox.release_tree import TARGETS, TARGETS_BY_NAME, ReleaseTree, build_release_tree
from sandbox.server_state import HandlerState
from sandbox.test_keys import load_or_create_keys
from sandbox.traffic import RequestRecord

LOOPBACK_HOST = "127.0.0.1"
# How often serve_forever looks for a shutdown request: bounds how long stop() waits.
SHUTDOWN_POLL_SECONDS = 0.05
SERVE_THREAD_JOIN_SECONDS = 5.0
DEFAULT_VERSIONS = "1.0.309,1.0.310"
KEYS_FOLDER_NAME = "keys"
READY_PREFIX = "READY"
SIZE_SUFFIXES = {"K": 1024, "M": 1024**2, "G": 1024**3}


class ReleaseServer:
    """Serves a ReleaseTree over HTTP on 127.0.0.1; use as a context manager."""

    def __init__(
        self,
        tree: ReleaseTree,
        *,
        port: int = 0,
        metadata_base_url: str | None = None,
        all_versions: bool = False,
    ) -> None:
        """Prepare to serve `tree`; metadata URLs point at `metadata_base_url` when given."""
        self.tree = tree
        self.metadata_base_url = metadata_base_url
        self.all_versions = all_versions
        self._port = port
        self._started_at = int(time.time())
        self._state = HandlerState(routes=self)
        self._httpd: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ReleaseServer:
        """Start serving."""
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop serving."""
        self.stop()

    def start(self) -> ReleaseServer:
        """Bind the socket and serve from a background thread."""
        self._state.stopping.clear()
        self._httpd = SandboxHTTPServer((LOOPBACK_HOST, self._port), self._state)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name=f"sandbox-release-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, cut live connections (ending stalls), and join every thread."""
        if self._httpd is None:
            return
        self._state.stopping.set()
        self._httpd.shutdown()
        self._state.cut_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(SERVE_THREAD_JOIN_SECONDS)
        self._httpd = self._thread = None

    @property
    def port(self) -> int:
        """Return the bound port."""
        if self._httpd is None:
            raise RuntimeError("the release server is not running")
        return self._httpd.server_port

    @property
    def base_url(self) -> str:
        """Return `http://127.0.0.1:PORT` (no trailing slash)."""
        return f"http://{LOOPBACK_HOST}:{self.port}"

    def url(self, relative_path: str) -> str:
        """Return the absolute URL of a path under the host root."""
        return f"{self.base_url}/{relative_path.lstrip('/')}"

    def metadata_url(self, target: str) -> str:
        """Return the metadata URL of a target (`linux-x64`, `darwin-arm64-zip`, ...)."""
        return self.url(TARGETS_BY_NAME[target].metadata_path)

    def artifact_url(self, target: str, version: str | None = None) -> str:
        """Return the download URL of a target's artifact (the newest version when None)."""
        return self.url(self.tree.artifact(target, version).relative_path)

    def add_fault(self, fault: Fault) -> None:
        """Inject a fault for the next matching requests."""
        self._state.faults.add(fault)

    def set_faults(self, faults: list[Fault]) -> None:
        """Replace every pending fault."""
        self._state.faults.replace(faults)

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._state.faults.clear()

    def bytes_served(self, path_suffix: str | None = None) -> int:
        """Return body bytes sent for paths ending with `path_suffix` (all when None)."""
        return self._state.traffic.bytes_served(path_suffix)

    @property
    def requests(self) -> list[RequestRecord]:
        """Return the request log (control requests excluded), oldest first."""
        return self._state.traffic.requests()

    @property
    def connections(self) -> int:
        """Return how many connections the server accepted (keep-alive: about one per client)."""
        return self._state.traffic.connections()

    def reset_counters(self) -> None:
        """Forget the request log, connection and byte counts."""
        self._state.traffic.reset()

    def resolve(self, path: str, *, forged_signature: bool = False) -> Resource | None:
        """Find the metadata document or release file at `path`."""
        relative = path.lstrip("/")
        if any(target.metadata_path == relative for target in TARGETS):
            base = self.metadata_base_url or self.base_url
            document = self.tree.render_metadata(relative, base, all_versions=self.all_versions)
            if document is not None:
                return bytes_resource(document, self._started_at, "application/json")
        served = self.tree.files.get(relative)
        if served is None:
            return None
        file_path = self.tree.path_of(relative)
        stat = file_path.stat()
        content_type = content_type_for(relative)
        if forged_signature and served.signs_sha256:
            forged = self.tree.keys.other.sign_digest(bytes.fromhex(served.signs_sha256))
            return bytes_resource(forged, int(stat.st_mtime), content_type)
        etag = f'"{served.sha256[:ETAG_HEX_DIGITS]}"'
        return Resource(
            stat.st_size, etag, int(stat.st_mtime), content_type, lambda: file_path.open("rb")
        )

    def control(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """Answer `/_control/{stats,tree,reset,faults}` for a driver in another process."""
        action = (method, path.removeprefix(CONTROL_PREFIX))
        if action == ("GET", "stats"):
            return 200, self._stats()
        if action == ("GET", "tree"):
            return 200, self._tree_summary()
        if action == ("POST", "reset"):
            self.reset_counters()
            return 200, {"ok": True}
        if action == ("POST", "faults"):
            try:
                self.set_faults([Fault.from_json(item) for item in json.loads(body or b"[]")])
            except (ValueError, TypeError) as error:
                return 400, {"error": str(error)}
            return 200, {"faults": self._state.faults.pending()}
        return 404, {"error": f"no control action {method} {path}"}

    def _stats(self) -> dict[str, Any]:
        """Return counters and pending faults as JSON-ready data."""
        return {
            "total_bytes": self.bytes_served(),
            "bytes_served": self._state.traffic.bytes_by_path(),
            "requests": [vars(record) for record in self.requests],
            "faults": self._state.faults.pending(),
        }

    def _tree_summary(self) -> dict[str, Any]:
        """Describe the served tree: versions, the pin of the signing key, every artifact."""
        return {
            "base_url": self.base_url,
            "versions": list(self.tree.versions),
            "signing_fingerprint_sha256": self.tree.signing_key.fingerprint_sha256,
            "artifacts": [
                {**vars(artifact), "url": self.url(artifact.relative_path)}
                for artifact in self.tree.artifacts.values()
            ],
        }


def parse_size(text: str) -> int:
    """Parse a byte count with an optional K, M or G suffix (powers of 1024)."""
    cleaned = text.strip().upper().removesuffix("IB").removesuffix("B")
    if cleaned and cleaned[-1] in SIZE_SUFFIXES:
        return int(cleaned[:-1]) * SIZE_SUFFIXES[cleaned[-1]]
    return int(cleaned)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Parse the own-process command line."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.release_server", description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="folder for keys and releases")
    parser.add_argument("--versions", default=DEFAULT_VERSIONS, help="comma-separated versions")
    parser.add_argument("--artifact-size", type=parse_size, help="pad artifacts (e.g. 64M, 1G)")
    parser.add_argument("--padded-targets", help="comma-separated targets to pad (default all)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--all-versions", action="store_true", help="list every version")
    parser.add_argument("--metadata-base-url", help="render metadata URLs under this base")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the tree, serve it, print `READY <url>`, and serve until SIGTERM or SIGINT."""
    arguments = parse_arguments(argv)
    folder: Path = arguments.dir
    padded = arguments.padded_targets.split(",") if arguments.padded_targets else None
    tree = build_release_tree(
        folder,
        [version.strip() for version in arguments.versions.split(",") if version.strip()],
        keys=load_or_create_keys(folder / KEYS_FOLDER_NAME),
        artifact_size=arguments.artifact_size,
        padded_targets=padded,
    )
    stop_requested = threading.Event()

    def request_stop(signal_number: int, frame: FrameType | None) -> None:
        """Turn SIGTERM or SIGINT into a clean stop."""
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server = ReleaseServer(
        tree,
        port=arguments.port,
        metadata_base_url=arguments.metadata_base_url,
        all_versions=arguments.all_versions,
    )
    with server:
        print(f"{READY_PREFIX} {server.base_url}", flush=True)
        stop_requested.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
