"""`python -m tfsheet` runs the `tfsheet` command."""

import sys

from tfsheet.cli import main

sys.exit(main())
