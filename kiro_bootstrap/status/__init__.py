"""The status stage: what is installed, configured and subscribed, as `status` reports it."""
