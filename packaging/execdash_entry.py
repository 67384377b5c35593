"""Entry point of the frozen ExecDash program: the `execdash` command line."""

import multiprocessing
import sys

from execdash_desktop.cli import main

if __name__ == "__main__":
    # the window reads a big file in a child process (execdash_desktop/load_apart.py): in the
    # frozen program that child is this executable again, which this call turns into the child
    multiprocessing.freeze_support()
    sys.exit(main())
