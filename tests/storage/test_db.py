"""storage.db: an interrupt (Ctrl-C) that lands between a statement and its last row leaves the store usable:
the transaction is rolled back and the next one on the same engine commits (the crawl claim released in a
`finally` after Ctrl-C must not fail with "SQL statements in progress")."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from govmon.storage.db import session_scope, write

HALF_READ = {
    "select": "SELECT n FROM scratch",
    "insert returning": "INSERT INTO scratch (n) VALUES (1001), (1002), (1003) RETURNING n",
    "update returning": "UPDATE scratch SET n = n + 10000 WHERE n < 5 RETURNING n",
    "delete returning": "DELETE FROM scratch WHERE n > 400 RETURNING n",
}


def _scratch(engine) -> None:
    with session_scope(engine) as session:
        session.execute(text("CREATE TABLE scratch (n INTEGER PRIMARY KEY)"))
        session.execute(text("INSERT INTO scratch (n) VALUES (:n)"), [{"n": n} for n in range(500)])


def _interrupted(engine, statement: str) -> KeyboardInterrupt:
    try:
        with session_scope(engine) as session:
            rows = session.execute(text(statement))
            next(iter(rows))  # more rows to come: the statement is still running
            raise KeyboardInterrupt
    except KeyboardInterrupt as interrupt:
        return interrupt  # its traceback keeps `rows`, the half-read cursor, alive, as during a `finally` block


@pytest.mark.parametrize("statement", HALF_READ.values(), ids=HALF_READ.keys())
def test_a_write_after_ctrl_c_mid_statement_commits_and_the_interrupted_one_left_nothing(engine, statement):
    _scratch(engine)
    interrupt = _interrupted(engine, statement)
    write(engine, lambda session: session.execute(text("INSERT INTO scratch (n) VALUES (5000)")), tries=1)
    with session_scope(engine) as session:
        rows = session.execute(text("SELECT n FROM scratch ORDER BY n")).scalars().all()
    assert rows == [*range(500), 5000]
    assert interrupt.__traceback__ is not None
