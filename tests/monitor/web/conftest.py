"""The stores the web tests read: the offline demo's (run once per session, real spiders against the replay
server), and a small store written by the tests themselves with hostile strings in it."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from govmon.monitor.config import Config
from govmon.monitor.demo.offline import demo_config, run_demo
from govmon.monitor.web.app import create_app
from govmon.storage.db import make_engine
from govmon.storage.migrate import upgrade


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo's store after both days: four alerts, 03/NQ-CP amended by 71/NQ-CP, a three-copy repost."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'govmon.sqlite3'}")
    upgrade(engine)
    run_demo(engine, demo_config(Config()))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_app_config() -> Config:
    return demo_config(Config())


@pytest.fixture
def client(demo_store: Engine, demo_app_config: Config) -> Iterator[TestClient]:
    with TestClient(create_app(demo_store, demo_app_config)) as test_client:
        yield test_client


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'govmon.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()
