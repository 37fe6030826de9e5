"""Allow ``python -m briefexport``."""

from .cli import run

run()
