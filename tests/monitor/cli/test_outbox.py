"""`govmon notify test` and `govmon outbox list|retry` against a real local HTTP endpoint."""
from __future__ import annotations

from typer.testing import CliRunner

from govmon.crawler.sources import load_sources
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.cli.main import app
from govmon.monitor.config import Channel
from govmon.monitor.pipeline.ingest import Ingestor
from tests_support import article_item, ingest

runner = CliRunner()
URL = "https://baochinhphu.vn/nghi-quyet-102250402083000077.htm"


def _config(tmp_path, url: str) -> str:
    path = tmp_path / "govmon.toml"
    path.write_text(f'[channels.hook]\nurl = "{url}"\n', encoding="utf-8")
    return str(path)


def test_notify_test_sends_one_message(tmp_path, http_receiver):
    result = runner.invoke(app, ["--config", _config(tmp_path, http_receiver.url()), "notify", "test", "hook"])
    assert result.exit_code == 0, result.output
    assert len(http_receiver.requests) == 1


def test_a_failed_delivery_is_listed_and_retried_once_the_channel_is_back(tmp_path, engine, http_receiver, closed_port):
    down = Channel("hook", f"json://127.0.0.1:{closed_port}/hook")
    ingest(engine, article_item(URL, "Phiên họp Chính phủ.", "Phiên họp"))  # baseline
    ingestor = Ingestor(engine, load_sources()["baochinhphu"], (down,))
    ingestor.handle(article_item(URL.replace("77", "78"), "Nghị quyết số 71/NQ-CP sửa đổi Nghị quyết số 03/NQ-CP.", "Mới"))
    ingestor.finish()
    assert dispatch(engine, (down,)).retrying > 0
    database = ["--database", engine.url.render_as_string(hide_password=False)]
    listed = runner.invoke(app, [*database, "outbox", "list", "--status", "pending"])
    assert listed.exit_code == 0 and "hook" in listed.stdout
    retried = runner.invoke(app, [*database, "--config", _config(tmp_path, http_receiver.url()), "outbox", "retry"])
    assert retried.exit_code == 0, retried.output
    assert len(http_receiver.requests) >= 1
    assert runner.invoke(app, [*database, "outbox", "list", "--status", "pending"]).stdout.count("hook") == 0
