"""`python -m monitor` is the `govmon` command."""
from monitor.cli import app

app(prog_name="govmon")
