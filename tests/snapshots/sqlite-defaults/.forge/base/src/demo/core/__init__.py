"""Configuration, database, security, errors, logging and middleware."""
