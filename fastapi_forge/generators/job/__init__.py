"""``forge add job``: one typed background job in a project that has the worker."""
