"""The TOML configuration: defaults, channels with secrets from the environment, and every mistake one clear
line naming the file, the key and the expected form (never a traceback, never a string split into letters)."""
from __future__ import annotations

import math
import re
import string
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govmon.monitor.alerts.subscriptions import EventFacts, selects
from govmon.monitor.config import (
    EVENT_KINDS,
    Config,
    ConfigError,
    channel_urls,
    load_config,
    parse_config,
)
from govmon.notifiers import secrets_of


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


# --- every key, validated: one line each --------------------------------------------------------------

DESK = '[channels.desk]\nurl = "console"\n'
LEGAL = DESK + '[subscriptions.legal]\nchannel = "desk"\n'
WEEK = "a number of seconds, more than 0 and at most 604800 (a week)"
PARALLEL = "a whole number from 1 to 100"
KIND = f"an event kind: {', '.join(EVENT_KINDS)}"
VAR = "expected ${NAME} references to environment variables (NAME: letters, digits, _)"
HOST = "expected a host name (intranet.example.vn) or a network in CIDR form (10.0.0.0/8)"

MISTAKES = [
    # the eight that ended in tracebacks or silently wrong behaviour
    ('crawl_timeout = "abc"', f"crawl_timeout: expected {WEEK}, got 'abc'"),
    ('sources = "baochinhphu"', "sources: expected a list of source names, e.g. [\"baochinhphu\"], got 'baochinhphu'"),
    ("channels = 5", 'channels: expected a table of channels, e.g. [channels.desk] with url = "…", got 5'),
    ("subscriptions = []",
     'subscriptions: expected a table of subscriptions, e.g. [subscriptions.legal] with channel = "desk", got []'),
    (LEGAL + 'keywords = "luat dat dai"',
     "subscriptions.legal.keywords: expected a list of keywords, e.g. [\"du lieu ca nhan\"], got 'luat dat dai'"),
    (LEGAL + 'digest = "daily@24:00"',
     "subscriptions.legal.digest: expected instant, hourly or daily@HH:MM (00:00–23:59), got 'daily@24:00'"),
    ('parallel = "4"', f"parallel: expected {PARALLEL}, got '4'"),
    ('[channels.desk]\nurl = "console"\nkinds = "new_document"',
     f"channels.desk.kinds: expected a list of event kinds ({', '.join(EVENT_KINDS)}), got 'new_document'"),
    # numbers
    ("crawl_timeout = -1", f"crawl_timeout: expected {WEEK}, got -1"),
    ("crawl_timeout = 0", f"crawl_timeout: expected {WEEK}, got 0"),
    ("crawl_timeout = inf", f"crawl_timeout: expected {WEEK}, got inf"),
    ("crawl_timeout = nan", f"crawl_timeout: expected {WEEK}, got nan"),
    ("crawl_timeout = 1e12", f"crawl_timeout: expected {WEEK}, got 1000000000000.0"),
    ("crawl_timeout = true", f"crawl_timeout: expected {WEEK}, got True"),
    ("parallel = 0", f"parallel: expected {PARALLEL}, got 0"),
    ("parallel = 2.5", f"parallel: expected {PARALLEL}, got 2.5"),
    ("parallel = true", f"parallel: expected {PARALLEL}, got True"),
    ("parallel = 1000", f"parallel: expected {PARALLEL}, got 1000"),
    # strings and lists
    ("contact = 42", "contact: expected a string (an e-mail address or a URL for the User-Agent), got 42"),
    ('contact = "news@x.vn\\r\\nX-Evil: 1"',
     "contact: expected a non-empty string on one line (no control characters), got 'news@x.vn\\r\\nX-Evil: 1'"),
    ('sources = ["baochinhphu", 7]', "sources[1]: expected a string, got 7"),
    ('source_dirs = "~/src"', "source_dirs: expected a list of folder paths, e.g. [\"~/govmon/sources\"], got '~/src'"),
    (DESK + 'keywords = [" "]',
     "channels.desk.keywords[0]: expected a non-empty string on one line (no control characters), got ' '"),
    (DESK + 'keywords = ["--"]', "channels.desk.keywords[0]: expected a keyword with a letter or digit in it "
                                 "(a blank one would match everything), got '--'"),
    (DESK + 'kinds = ["new_articel"]', f"channels.desk.kinds[0]: expected {KIND}, got 'new_articel'"),
    (DESK + 'kinds = ["digest"]', f"channels.desk.kinds[0]: expected {KIND}, got 'digest'"),
    (LEGAL + 'lang = "fr"', "subscriptions.legal.lang: expected vi or en, got 'fr'"),
    (LEGAL + 'digest = "daily@7:60"',
     "subscriptions.legal.digest: expected instant, hourly or daily@HH:MM (00:00–23:59), got 'daily@7:60'"),
    (LEGAL + 'digest = "weekly"',
     "subscriptions.legal.digest: expected instant, hourly or daily@HH:MM (00:00–23:59), got 'weekly'"),
    # channels and subscriptions
    ('[channels.x]\nkinds = []', 'channels.x: needs a url, e.g. url = "mailto://…" or "console"'),
    ('[channels]\ndesk = "console"', 'channels.desk: expected a channel table, e.g. [channels.desk] with url = "…", '
                                     "got 'console'"),
    ('[channels."a b"]\nurl = "console"',
     "channels.\"a b\": expected a name of letters, digits, '-', '_' or '.' (at most 64), got 'a b'"),
    ("[channels.desk]\nurl = 5",
     "channels.desk.url: expected a notifier URL such as mailto://…, zalo://…, tgram://… or console, got 5"),
    ('[channels.desk]\nurl = "smtp.example.org"', "channels.desk.url: expected a notifier URL such as mailto://…, "
                                                 "zalo://…, tgram://… or console, got '****'"),
    ('[channels.desk]\nurl = "mailtoo://bot:${PW}@smtp.example.org"', "channels.desk.url: expected a notifier "
     "scheme govmon or Apprise knows (did you mean mailto?), got 'mailtoo://bot:****@smtp.example.org'"),
    ('[channels.desk]\nurl = "zalo://${ZALO_TOKEN@123"', f"channels.desk.url: {VAR}, got 'zalo://****@123'"),
    ('[channels.desk]\nurl = "zalo://$ZALO_TOKEN@123"', f"channels.desk.url: {VAR}, got 'zalo://****@123'"),
    ('[channels.desk]\nurl = "zalo://${1TOKEN}@123"', f"channels.desk.url: {VAR}, got 'zalo://****@123'"),
    ('[channels.desk]\nurll = "console"', "unknown keys: channels.desk.urll (did you mean url?) (and 1 more)"),
    ('[subscriptions.legal]\ndigest = "hourly"',
     'subscriptions.legal: needs a channel = "NAME" naming one of the [channels.NAME] tables'),
    (DESK + '[subscriptions.legal]\nchannel = "dsk"',
     "subscriptions.legal.channel: expected one of the channels desk (did you mean desk?), got 'dsk'"),
    ('[subscriptions.legal]\nchannel = "desk"',
     "subscriptions.legal.channel: expected a [channels.NAME] table (none is defined), got 'desk'"),
    (DESK + '[channels.b]\nurl = "console"\n[subscriptions.desk]\nchannel = "b"',
     "subscriptions.desk: expected a name that is not another channel's, got 'desk'"),
    (LEGAL + 'url = "console"', "unknown keys: subscriptions.legal.url (known keys: channel, digest, documents, "
                                "issuers, keywords, kinds, lang, provinces, sources, types)"),
    # allow_private, crawl, unknown keys
    ('allow_private = ["10.0.0.1/8"]', "allow_private[0]: expected a network in CIDR form such as 10.0.0.0/8 "
                                       "(10.0.0.1/8 has host bits set), got '10.0.0.1/8'"),
    ('allow_private = ["10.0.0.300"]', "allow_private[0]: expected a network in CIDR form such as 10.0.0.0/8 "
     "('10.0.0.300' does not appear to be an IPv4 or IPv6 network), got '10.0.0.300'"),
    ('allow_private = ["not a host!"]', f"allow_private[0]: {HOST}, got 'not a host!'"),
    ('allow_private = ["-bad-.example.vn"]', f"allow_private[0]: {HOST}, got '-bad-.example.vn'"),
    ('allow_private = "10.0.0.0/8"', "allow_private: expected a list of host names or CIDR networks, "
                                     "e.g. [\"10.0.0.0/8\"], got '10.0.0.0/8'"),
    ("[crawl]\ndownload_delay = 3", "crawl.download_delay: expected an UPPER_CASE Scrapy setting name such as "
                                   "DOWNLOAD_DELAY, got 'download_delay'"),
    ("crawl = 3", "crawl: expected a table of Scrapy settings, e.g. [crawl] DOWNLOAD_DELAY = 3, got 3"),
    ('contakt = "x"', "unknown keys: contakt (did you mean contact?)"),
    ('contakt = "x"\nparalel = 2\nzzz = 1\nparallel = 0', "unknown keys: contakt (did you mean contact?), paralel "
     "(did you mean parallel?), zzz (known keys: allow_private, channels, contact, crawl, crawl_timeout, parallel, "
     "source_dirs, sources, subscriptions, web) (and 1 more)"),
    # the file itself
    ("contact = ", "cannot read TOML: Invalid value (at line 1, column 11)"),
    ('sources = ["a"]\nsources = ["b"]', "cannot read TOML: Cannot overwrite a value (at line 2, column 16)"),
]


@pytest.mark.parametrize(("toml", "problem"), MISTAKES, ids=[p.split(":")[0] + f"-{i}" for i, (_, p) in
                                                             enumerate(MISTAKES)])
def test_each_mistake_is_one_line_naming_file_key_and_form(tmp_path: Path, toml: str, problem: str) -> None:
    path = write(tmp_path, toml + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {problem}"
    assert "\n" not in str(caught.value)


def test_a_password_written_into_a_wrong_url_is_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, '[channels.desk]\nurl = "mailtoo://bot:hunter2-Secret@smtp.example.org"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "hunter2-Secret" not in str(caught.value)


@pytest.mark.parametrize(("content", "problem"), [
    ("contact = \"Tòa\"".encode("cp1252"), "not UTF-8 text (byte 0xf2 at offset 12); save the file as UTF-8"),
    (b"contact = \"\xff\"", "not UTF-8 text (byte 0xff at offset 11); save the file as UTF-8"),
    (b"x" * 1_000_001, "larger than 1,000,000 bytes; is it the configuration?"),
    (b"a = " + b"[" * 5000 + b"]" * 5000, "cannot read TOML: nested too deeply"),
])
def test_unreadable_files_are_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "govmon.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and message.endswith(problem) and "\n" not in message


def test_a_missing_file_or_a_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read: No such file or directory$"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r": cannot read: Is a directory$"):
        load_config(tmp_path)


def test_a_complete_valid_file(tmp_path: Path) -> None:
    text = ('\ufeffcontact = "newsroom@example.org"\nsources = ["baochinhphu"]\nsource_dirs = ["~/govmon/sources"]\n'
            'crawl_timeout = 600\nparallel = 2\nallow_private = ["intranet.example.vn", "10.0.0.0/8", "fd00::/8", '
            '"bộ-tài-chính.vn"]\n[crawl]\nDOWNLOAD_DELAY = 3\nGOVMON_HOST_MAP = { "*" = "http://127.0.0.1:8000" }\n'
            '[channels.desk]\nurl = "smtp://bot:${SMTP_PW}@smtp.example.org?to=desk@example.org"\n'
            '[channels.zalo]\nurl = "zalo://${ZALO_BOT_TOKEN}@1234567890"\n'
            '[subscriptions.legal-desk]\nchannel = "zalo"\nkinds = ["new_document"]\ntypes = ["nghị định"]\n'
            'keywords = ["du lieu ca nhan"]\ndigest = "daily@7:30"\nlang = "en"\n')
    path = tmp_path / "govmon.toml"
    path.write_bytes(text.encode("utf-8"))  # with a byte-order mark, as Notepad writes it
    config = load_config(path)
    assert (config.contact, config.sources, config.crawl_timeout, config.parallel) == (
        "newsroom@example.org", ("baochinhphu",), 600.0, 2)
    assert config.source_dirs[1] == Path("~/govmon/sources").expanduser()
    assert config.crawl == {"DOWNLOAD_DELAY": 3, "GOVMON_HOST_MAP": {"*": "http://127.0.0.1:8000"}}
    assert config.allow_private[:2] == ("intranet.example.vn", "10.0.0.0/8")
    desk, legal = config.channels
    assert (desk.name, legal.name, legal.url) == ("desk", "legal-desk", "zalo://${ZALO_BOT_TOKEN}@1234567890")
    assert legal.rules.keywords == ("du lieu ca nhan",)  # one keyword, not fifteen letters
    assert (legal.rules.digest, legal.rules.lang, legal.rules.kinds) == ("daily@07:30", "en",
                                                                        frozenset({"new_document"}))


def test_channel_urls_carry_the_secrets_the_environment_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZALO_BOT_TOKEN", "3141592653:SECRETzaloTOKEN")
    monkeypatch.delenv("SMTP_PW", raising=False)
    config = parse_config({"channels": {"zalo": {"url": "zalo://${ZALO_BOT_TOKEN}@1234567890"},
                                        "desk": {"url": "smtp://bot:${SMTP_PW}@smtp.example.org?to=a@example.org"}}})
    zalo, desk = channel_urls(config)
    assert zalo == "zalo://3141592653:SECRETzaloTOKEN@1234567890" and "SECRETzaloTOKEN" in secrets_of(zalo)
    assert desk == "smtp://bot:${SMTP_PW}@smtp.example.org?to=a@example.org"  # unset: left as written


def test_parse_config_takes_a_parsed_document() -> None:
    config = parse_config({"channels": {"hook": {"url": "json://127.0.0.1:9/hook"}}}, "inline")
    assert [c.name for c in config.channels] == ["hook"]
    with pytest.raises(ConfigError, match=r"^inline: expected a TOML table of settings, got \[\]$"):
        parse_config([], "inline")  # type: ignore[arg-type]


# --- fuzz: any TOML document gives a Config or a ConfigError, nothing else ------------------------------

TOP = ["contact", "sources", "source_dirs", "crawl_timeout", "parallel", "crawl", "allow_private", "channels",
       "subscriptions"]
RULES = ["kinds", "documents", "types", "issuers", "sources", "provinces", "keywords", "digest", "lang"]
KEYS = st.sampled_from([*TOP, *RULES, "url", "channel", "DOWNLOAD_DELAY", "desk", "legal"]) | st.text(min_size=1,
                                                                                                      max_size=8)
SCALARS = (st.text(max_size=20) | st.sampled_from(["console", "daily@07:30", "hourly", "vi", "new_document",
                                                   "10.0.0.0/8", "zalo://${T}@1", "mailto://a:b@c?to=d@e"])
           | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.floats() | st.booleans() | st.dates())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(KEYS, VALUES, max_size=6))
def test_any_toml_document_loads_or_is_a_config_error(tmp_path: Path, document: dict) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    try:
        assert isinstance(load_config(path), Config)
    except ConfigError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200) | st.text(alphabet=string.printable + "[]{}=\"'ạđ", max_size=200))
def test_any_bytes_load_or_are_a_config_error(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    try:
        config = load_config(path)
        assert math.isfinite(config.crawl_timeout) and config.parallel >= 1
    except ConfigError as exc:
        assert "\n" not in str(exc)


def test_the_readme_example_configuration_loads(tmp_path):
    """The configuration the README shows is one a user can copy."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S)
    assert example is not None
    config = load_config(write(tmp_path, example.group(1)))
    assert {c.name for c in config.channels} == {"desk", "legal"} and config.allow_private
