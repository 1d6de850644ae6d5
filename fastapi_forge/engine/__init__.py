"""The engine every generator runs on: render templates, find the target project, plan and
apply files atomically, wire lines in at ``# forge:`` markers, read migration histories.

Nothing here knows a generator: the layering test (tests/test_layering.py) keeps it so.
"""
