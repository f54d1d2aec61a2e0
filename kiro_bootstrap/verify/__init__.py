"""Verify a Kiro build before anything trusts it: org pin, then the platform's own signature."""
