"""The generators, side by side over :mod:`fastapi_forge.engine`.

None imports another generator, or the CLI.
"""
