"""AWS region facts: which regions exist (botocore's partition data) and which Kiro supports."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

# The Kiro console and profiles exist only here (FACTS §3).
KIRO_CONSOLE_REGIONS = ("us-east-1", "eu-central-1")

# IAM Identity Center regions Kiro supports: the regions enabled by default (FACTS §3).
IDC_SUPPORTED_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
        "ap-southeast-2", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
    }
)  # fmt: skip


@cache
def known_regions() -> frozenset[str]:
    """Every region in botocore's partition data, opt-in regions included."""
    # Read the data file directly: importing botocore's loader would cost more than the parse.
    text = resources.files("botocore").joinpath("data", "endpoints.json").read_text("utf-8")
    partitions = json.loads(text)["partitions"]
    return frozenset(region for partition in partitions for region in partition["regions"])


def is_known_region(region: str) -> bool:
    """True when the region exists in any AWS partition."""
    return region in known_regions()
