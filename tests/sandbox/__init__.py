"""Tests of the sandbox's stand-ins for the outside world."""
