"""`python -m kiro_bootstrap`."""

from kiro_bootstrap.entry import run

if __name__ == "__main__":
    run()
