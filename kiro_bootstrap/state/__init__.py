"""The status files (machine and per person), the fleet state in them, and what is installed."""
