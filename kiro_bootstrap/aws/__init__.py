"""Reaching AWS: the session factory on the context and the translation of AWS errors."""
