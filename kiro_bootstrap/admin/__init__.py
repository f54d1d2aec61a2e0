"""The admin side: check the AWS organisation, fix what public APIs can fix, list the rest."""
