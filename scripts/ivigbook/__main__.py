"""``python -m ivigbook``: the project's command line."""

import sys

from ivigbook.cli import main

sys.exit(main())
