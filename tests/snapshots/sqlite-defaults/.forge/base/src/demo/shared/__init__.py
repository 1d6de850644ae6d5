"""Building blocks shared by every feature: base model, schemas, repository, pagination."""
