"""`python -m qa ...` is the `qa` command: an agent's MCP configuration can name the interpreter of the
environment qa is installed in, from any directory, without that environment's bin on PATH."""

from qa.cli import cli

if __name__ == "__main__":
    cli(prog_name="qa")
