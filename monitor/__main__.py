"""`python -m govmon.monitor` is the `govmon` command."""
from govmon.monitor.cli.main import app

app(prog_name="govmon")
