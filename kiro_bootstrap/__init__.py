"""kiro-bootstrap: set Kiro up for an organisation, on AWS and on every workstation."""

__version__ = "0.1.0"
