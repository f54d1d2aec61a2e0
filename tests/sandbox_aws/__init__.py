"""Tests for the sandbox's local AWS."""
