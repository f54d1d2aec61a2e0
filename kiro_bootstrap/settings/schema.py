"""Write config/kiro-bootstrap.schema.json from the settings model (`python -m …schema`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiro_bootstrap import NAME
from kiro_bootstrap.settings.model import Settings


def main() -> int:
    """Regenerate the JSON Schema beside the example config."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(f"config/{NAME}.schema.json")
    target.write_text(json.dumps(Settings.model_json_schema(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
