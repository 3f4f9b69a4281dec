"""The `govmon` command line: one module per command group (`main` holds the app and the everyday
commands), the shared options and errors (`common`) and the tables it prints (`views`). The CLI is the
one layer that may import every other."""
