"""Demo: the service package (see main.create_app)."""
