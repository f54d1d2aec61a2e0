"""A loopback stand-in for the SSO portal's GetRoleCredentials (`GET /federation/credentials`).

`python3 sso_portal_fake.py TOKEN ACCESS_KEY SECRET_KEY` prints `READY http://127.0.0.1:PORT`
and answers botocore's SSO credential provider (reached through AWS_ENDPOINT_URL_SSO): the role
credentials for the bearer token TOKEN, 401 for any other. Each answer is logged on stderr, so
the smoke test can prove the binary came here. Standard library only: it runs beside the
binary, without the venv.
"""

from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CREDENTIALS_PATH = "/federation/credentials"
LIFETIME_SECONDS = 3600


def make_handler(token: str, access_key: str, secret_key: str) -> type[BaseHTTPRequestHandler]:
    """A request handler bound to the one token it accepts and the keys it hands out."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            given = self.headers.get("x-amz-sso_bearer_token", "")
            if url.path != CREDENTIALS_PATH or "role_name" not in query:
                self.answer(404, {"message": "not found"}, "ResourceNotFoundException")
            elif given != token:
                self.answer(401, {"message": "Session token not found or invalid"},
                            "UnauthorizedException")  # fmt: skip
            else:
                expiration = int((time.time() + LIFETIME_SECONDS) * 1000)
                credentials = {
                    "accessKeyId": access_key,
                    "secretAccessKey": secret_key,
                    "sessionToken": "smoke-session",
                    "expiration": expiration,
                }
                self.answer(200, {"roleCredentials": credentials})
            sys.stderr.write(
                f"GetRoleCredentials account={query.get('account_id', ['?'])[0]} "
                f"role={query.get('role_name', ['?'])[0]} -> {self.status}\n"
            )
            sys.stderr.flush()

        def answer(self, status: int, body: dict[str, object], error: str = "") -> None:
            self.status = status
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if error:
                self.send_header("x-amzn-ErrorType", error)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
            """Quiet: the one line above is the log."""

    return Handler


def main(argv: list[str]) -> int:
    """Serve until killed."""
    token, access_key, secret_key = argv
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(token, access_key, secret_key))
    sys.stdout.write(f"READY http://127.0.0.1:{server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
