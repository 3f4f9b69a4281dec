"""The `govmon` command line: `main` holds the app and the table of its commands (where each is, its help
panel, its one-line help), `lazy` the group that lists them from the table and imports a command's module
only when it runs, one module per command group holds its commands, `common` the shared options, errors and
JSON output, `backend` the store and the sources of a pass, `views` the tables it prints. What a command
shows comes from `monitor.present` records, the web API's own, printed as JSON by `--json`. The CLI is the
one layer that may import every other."""
