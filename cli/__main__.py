"""``python -m cli``: the ``marsad`` command."""

import sys

from cli.main import main

sys.exit(main())
