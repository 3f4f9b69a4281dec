"""What govmon shows, shared by every face it has: the CLI's `--json`, the web view and its JSON API, the
Atom feeds. Records are plain JSON-able dicts with one set of field names (those of `govmon events --json`),
times in Asia/Ho_Chi_Minh; search turns what a user types into registry and full-text lookups."""
