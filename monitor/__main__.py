"""`python -m govmon.monitor` is the `govmon` command."""
from govmon.monitor.cli.main import govmon

govmon()
