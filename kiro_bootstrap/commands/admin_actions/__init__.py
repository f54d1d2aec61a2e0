"""The `admin` sub-actions, one module each (see `kiro_bootstrap/commands/admin.py`)."""
