"""govmon monitor: change detection, repost clustering, document registry, the daemon and the CLI."""
