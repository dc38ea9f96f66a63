"""`python -m tfgraph`: see `tfgraph.cli`."""

import sys

from tfgraph.cli import main

sys.exit(main())
