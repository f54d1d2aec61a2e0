"""Install Kiro: scope, locations, unpacking, swapping, rollback."""
