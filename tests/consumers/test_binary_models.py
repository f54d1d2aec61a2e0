"""The botocore models the binary bundles: derived from our calls and botocore's own providers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import botocore

from tests.consumers.oracle import REPOSITORY


def load_derivation():
    spec = importlib.util.spec_from_file_location(
        "botocore_models", REPOSITORY / ".ci" / "botocore_models.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sso_sign_in_and_every_service_we_call_are_bundled() -> None:
    derivation = load_derivation()
    botocore_folder = Path(botocore.__file__).parent
    services = derivation.bundled_services(REPOSITORY / "kiro_bootstrap", botocore_folder)
    # What an admin signing in with SSO, an assume-role profile or `aws login` needs ...
    assert {"sso", "sso-oidc", "sts", "signin"} <= services
    # ... and what the admin commands call.
    assert {"organizations", "sso-admin", "identitystore", "iam", "kms", "s3"} <= services
    assert all((botocore_folder / "data" / name).is_dir() for name in services)


def test_a_service_our_code_calls_is_found_without_a_list(tmp_path: Path) -> None:
    derivation = load_derivation()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "x.py").write_text('clients.call(\n    "ecr", "describe_repositories")\n')
    assert "ecr" in derivation.services_called_by(tmp_path / "pkg")
