"""Resolve which Kiro build to take: targets, release metadata, versions."""
