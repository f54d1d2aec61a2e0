"""Confirm on a workstation that its user holds a Kiro subscription, from the signed roster."""
