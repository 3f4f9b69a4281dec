"""The TOML configuration: defaults, channels with secrets from the environment, clear errors."""
from __future__ import annotations

import pytest

from govmon.monitor.alerts.subscriptions import EventFacts, selects
from govmon.monitor.config import ConfigError, load_config


def write(tmp_path, text: str):
    path = tmp_path / "govmon.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_alert_on_the_console(monkeypatch):
    monkeypatch.delenv("GOVMON_CONFIG", raising=False)
    config = load_config()
    assert [c.url for c in config.channels] == ["console"]


def test_channel_secret_comes_from_the_environment_and_is_masked(tmp_path, monkeypatch):
    path = write(tmp_path, '[channels.desk]\nurl = "mailto://bot:${SMTP_PW}@smtp.example.org?to=a@example.org"\n'
                           'kinds = ["new_document"]\ndocuments = ["03/NQ-CP"]\n')
    channel = load_config(path).channels[0]
    with pytest.raises(ConfigError, match="SMTP_PW"):
        channel.resolved_url()
    monkeypatch.setenv("SMTP_PW", "hunter2")
    assert "hunter2" in channel.resolved_url()
    assert "hunter2" not in channel.display()
    assert selects(channel.rules, EventFacts("new_document", frozenset({"03/NQ-CP", "57-NQ/TW"})))
    assert not selects(channel.rules, EventFacts("new_document", frozenset({"13/2023/NĐ-CP"})))
    assert not selects(channel.rules, EventFacts("article_changed", frozenset({"03/NQ-CP"})))


def test_unknown_keys_and_broken_files_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown keys"):
        load_config(write(tmp_path, 'contakt = "x"\n'))
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(write(tmp_path, "contact = \n"))
    with pytest.raises(ConfigError, match="needs a url"):
        load_config(write(tmp_path, "[channels.x]\nkinds = []\n"))
