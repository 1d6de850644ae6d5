"""Benchmarks of forge and of the services it generates (``python -m bench``).

Never part of the pass/fail test suite: every target lives here, beside its measurement,
and a missed target is reported, not failed. See the README's "Benchmarks" section.
"""
