"""``forge new``: the project generator (template ``templates/project``)."""
