"""govmon storage: sqlmodel models, engine/session, migrations and the repository (the one place that writes queries)."""
