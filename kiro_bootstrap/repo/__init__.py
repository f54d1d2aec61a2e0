"""Kiro's artefacts in a team's Git repository: scaffold (`repo init`), check (`repo check`)."""
