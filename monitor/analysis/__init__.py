"""The pure work on one extracted article, apart from the store: its content hash and documents
(`article`, `documents`), its repost features and the batch clustering behind them (`dedupe`), and what
changed between two versions (`changes`). Nothing here opens a session or reads a clock."""
