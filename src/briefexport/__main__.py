"""Allow ``python -m briefexport``."""

import sys

from .cli import main

sys.exit(main())
