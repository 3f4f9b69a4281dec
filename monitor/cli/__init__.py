"""The `govmon` command line: `main` holds the app and its help panels, one module per command group holds
its commands, `common` the shared options, errors and JSON output, `views` the tables it prints. What a
command shows comes from `monitor.present` records, the web API's own, printed as JSON by `--json`. The CLI
is the one layer that may import every other."""
