"""Talking to the network: URL policy, proxies, trust, the HTTP client."""
