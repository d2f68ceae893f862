"""``python -m symcount``."""

import sys

from symcount.cli.main import main

sys.exit(main())
