"""``python -m ui``: the ``tarjama`` command."""

import sys

from .cli import main

sys.exit(main())
