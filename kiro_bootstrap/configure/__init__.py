"""Configure Kiro and its tools: managed settings, settings.json, update policy, AWS, MCP."""
