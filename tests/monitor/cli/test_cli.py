"""The command line as a user meets it: clear reports, exit codes, no tracebacks."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def govmon(*args: str, tmp_path, config: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "COLUMNS": "200"}
    if config:
        (tmp_path / "govmon.toml").write_text(config, encoding="utf-8")
        env["GOVMON_CONFIG"] = str(tmp_path / "govmon.toml")
    return subprocess.run([sys.executable, "-m", "govmon.monitor", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_unreachable_sites_give_a_per_source_report_and_exit_1(tmp_path):
    # every host mapped to a closed loopback port: what `make run` meets on a machine without internet
    config = ('sources = ["baochinhphu", "vietnamplus"]\n[crawl]\nRETRY_TIMES = 0\nDOWNLOAD_DELAY = 0\n'
              'GOVMON_HOST_MAP = { "*" = "http://127.0.0.1:9" }\n')
    result = govmon("run", tmp_path=tmp_path, config=config)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for name in ("baochinhphu", "vietnamplus"):
        assert any(name in line and "unreachable" in line for line in result.stdout.splitlines()), result.stdout
    assert "2 of 2 sources not crawled cleanly" in result.stderr


@pytest.mark.parametrize("args,message", [
    (("run", "no-such-source"), "unknown source"),
    (("run", "baochinphu"), "baochinphu (did you mean baochinhphu?)"),
    (("diff", "https://example.vn/none"), "nothing to compare"),
    (("diff", "https://example.vn/none", "--json"), "nothing to compare"),
    (("versions", "https://example.vn/none", "--json"), "no article stored for https://example.vn/none"),
])
def test_user_errors_are_one_clear_line(tmp_path, args, message):
    result = govmon(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_bad_config_is_reported(tmp_path):
    result = govmon("sources", "list", tmp_path=tmp_path, config="contakt = 1\n")
    assert result.returncode == 2 and "unknown keys" in result.stderr


def test_sources_list_shows_builtin_definitions(tmp_path):
    result = govmon("sources", "list", tmp_path=tmp_path)
    assert result.returncode == 0 and "baochinhphu" in result.stdout


def test_verbose_commands_never_print_a_channel_token(tmp_path, http_receiver):
    """`govmon -v` logs httpx's request lines; the Zalo token is inside the request URL."""
    config = tmp_path / "govmon.toml"
    config.write_text('[channels.zalo]\nurl = "zalo://${ZALO_BOT_TOKEN}@8765432101?base=http://127.0.0.1:'
                      f'{http_receiver.port}"\n', encoding="utf-8")
    env = {**os.environ, "ZALO_BOT_TOKEN": "3141592653:SECRETzaloTOKEN", "GOVMON_CONFIG": str(config),
           "GOVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    result = subprocess.run([sys.executable, "-m", "govmon.monitor", "-v", "notify", "test", "zalo"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HTTP Request: POST" in result.stderr  # httpx did log the request, at this verbosity
    assert "SECRETzaloTOKEN" not in result.stdout + result.stderr and len(http_receiver.requests) == 1


def test_status_says_which_sources_skip_certificate_checks(tmp_path):
    user = tmp_path / "user-sources"
    user.mkdir()
    (user / "intranet.toml").write_text(
        'name = "intranet"\ntitle = "Cổng nội bộ"\nkind = "portal"\nhosts = ["portal.example.vn"]\n'
        'start_urls = ["https://portal.example.vn/tin-tuc"]\ntls_verify = false\n[list]\nlinks = "a.title"\n',
        encoding="utf-8")
    env = {**os.environ, "GOVMON_USER_SOURCES": str(user), "COLUMNS": "200",
           "GOVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    result = subprocess.run([sys.executable, "-m", "govmon.monitor", "status"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "intranet (tls_verify = false)" in result.stdout and "baochinhphu (tls_verify" not in result.stdout
