"""Feature slices: one package per domain (router, schemas, models, repository, service)."""
