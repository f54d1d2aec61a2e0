"""Local stand-ins for the outside world (a Kiro release host), for tests, demos and benchmarks."""
