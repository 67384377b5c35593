"""Entry point of the frozen ExecDash program: the `execdash` command line."""

import sys

from execdash_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
