"""Where Kiro lives on each OS: install locations, the installed copy, and the build for a host."""
