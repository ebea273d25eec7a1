"""``python -m presslens``: the ``presslens`` command."""

import sys

from presslens.cli import main

sys.exit(main())
