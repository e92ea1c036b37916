"""``python -m fastlasso``: same as the ``fastlasso`` command."""

import sys

from fastlasso.cli import main

if __name__ == "__main__":
    sys.exit(main())
