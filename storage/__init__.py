"""govmon storage: sqlmodel models, engine/session, migrations and the repository (the one place that writes queries).

What callers name without opening a store lives here, importing nothing (no SQLAlchemy): the variable that
selects the database and the error a store that stays away raises (`govmon --help` must not load SQLAlchemy).
"""
from __future__ import annotations

__all__ = ["ENV_VAR", "StoreUnavailable"]

ENV_VAR = "GOVMON_DATABASE_URL"


class StoreUnavailable(RuntimeError):
    """The database did not answer (or kept failing) after retries; the message says which and why."""
