"""What this tool did on this machine: install records and status files for people and MDM."""
