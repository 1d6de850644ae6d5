"""``forge add feature``: the slice generator (template ``templates/feature``)."""
