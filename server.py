"""Start the service: `python server.py [--host HOST] [--port PORT]`, the same as `qa serve`."""

import sys

from qa.cli import cli

if __name__ == "__main__":
    cli(["serve", *sys.argv[1:]], prog_name="server.py")
