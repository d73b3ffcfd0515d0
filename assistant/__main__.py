"""``python -m assistant`` is the same program as ``begleiter``."""

import sys

from assistant.cli import main

sys.exit(main())
