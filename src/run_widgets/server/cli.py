"""``run-widgets serve``: placeholder until the server lands."""

from __future__ import annotations

import argparse
import sys


def serve(args: argparse.Namespace) -> int:
    print("run-widgets serve: the embedded server is not built yet.", file=sys.stderr)
    return 2
