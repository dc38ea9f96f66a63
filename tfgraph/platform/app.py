"""`tf.app.run`: parse the command-line flags, call `main(argv)`, exit with its result."""

from __future__ import annotations

import sys as _sys

from absl import app as _absl_app

from tfgraph.platform import flags as _flags


def _parse_known_flags(argv):
    # Flags nobody defined stay in argv for main (absl alone would stop the program).
    return _flags.FLAGS(_sys.argv if argv is None else argv, known_only=True)


def run(main=None, argv=None):
    """Runs `main(argv)` after parsing flags from `argv` (default `sys.argv`) and exits
    with main's return value (absl.app.run). `main` defaults to the `main` function of
    the script being run."""
    if main is None:
        main = getattr(_sys.modules["__main__"], "main", None)
        if main is None:
            raise AttributeError(
                "tf.app.run() was given no main function and module '__main__' has no "
                "attribute 'main'"
            )
    _absl_app.run(main=main, argv=argv, flags_parser=_parse_known_flags)
