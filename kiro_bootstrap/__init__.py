"""kiro-bootstrap: set Kiro up for an organisation, on AWS and on every workstation."""

# The program's name wherever it names itself: binary, folders, user agent, tasks, logs.
NAME = "kiro-bootstrap"
__version__ = "0.1.0"
