"""``python -m tools.bench``: see ``main``."""

import sys

from tools.bench import main

sys.exit(main())
