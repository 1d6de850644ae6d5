"""Users: accounts, roles and profile."""
