"""Fetch Kiro builds: resumable downloads, retries, the content-addressed cache, progress."""
