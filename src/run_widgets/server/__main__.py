"""``python -m run_widgets.server``: the same as ``run-widgets serve``."""

import sys

from .cli import main

sys.exit(main())
