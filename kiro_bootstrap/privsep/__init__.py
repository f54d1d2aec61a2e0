"""Privilege separation: root decides, the person-side step works in the home."""
