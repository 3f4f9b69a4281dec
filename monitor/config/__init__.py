"""The user's configuration: one TOML file (``--config`` or ``GOVMON_CONFIG``), every key optional.

    contact = "newsroom@example.org"        # put in the User-Agent so site operators can reach you
    sources = ["baochinhphu", "vietnamplus"] # default: every non-legacy built-in source
    source_dirs = ["~/govmon/sources"]      # more definitions (*.toml); ~/.config/govmon/sources is always read
    crawl_timeout = 900                      # seconds per crawl before it is stopped (at most a week)
    parallel = 4                             # crawls of different sources at once (1 to 100)
    allow_private = ["intranet.example.vn", "10.0.0.0/8"]   # hosts or networks a crawl may reach although private

    [crawl]                                  # Scrapy settings for every crawl (UPPER_CASE names)
    DOWNLOAD_DELAY = 3

    [channels.newsroom]                      # a named channel: a notifier URL or "console"
    url = "mailto://bot:${SMTP_PASSWORD}@smtp.example.org?to=desk@example.org"
    kinds = ["new_document", "document_amended"]   # optional filter by event kind
    documents = ["03/NQ-CP", "57-NQ/TW"]           # optional: only events about these (or what implements them)

    [subscriptions.legal-desk]               # a subscription: a channel plus rules (all optional)
    channel = "newsroom"                     # a channel with subscriptions gets only what they select
    types = ["nghị định", "thông tư"]        # document types
    issuers = ["CP", "TTg", "BTC"]           # sign codes or issuer names
    sources = ["vanban"]                     # source names
    provinces = ["Gia Lai"]
    keywords = ["du lieu ca nhan"]           # diacritics do not matter
    digest = "daily@07:30"                   # instant (default), hourly, daily@HH:MM Asia/Ho_Chi_Minh
    lang = "en"                              # vi (default) or en

Every key is checked when the file is loaded, against a typed schema (pydantic, strict: a string is never
taken for a list, nor a number for a string), and the first mistake is one line naming the file, the key as
a dotted path and the expected form, e.g. ``govmon.toml: subscriptions.legal.digest: expected instant,
hourly or daily@HH:MM (00:00–23:59), got 'daily@24:00'``. That covers unknown keys at every level (with the
nearest known key as a hint), kinds among the event kinds, channel names, subscriptions naming a channel,
``${VAR}`` references and the notifier scheme of channel URLs, ``allow_private`` entries (a host name or a
CIDR network), Scrapy setting names in ``[crawl]``, a file that is not UTF-8 or not TOML (with its line).

Secrets are never written into the file: ``${NAME}`` is replaced by the environment variable NAME when the
channel is built, and channel URLs are masked wherever they are shown, error messages included. Without
any channel, alerts go to the console.
"""
from __future__ import annotations

from typing import Any

from govmon.monitor.config import types
from govmon.monitor.config.load import load_config, parse_config
from govmon.monitor.config.types import (
    CONFIG_ENV,
    Channel,
    Config,
    ConfigError,
    Rules,
    channel_urls,
    user_sources_dir,
)

__all__ = ["Channel", "Config", "ConfigError", "Rules", "channel_urls", "load_config", "parse_config",
           "user_sources_dir", "CONFIG_ENV", "EVENT_KINDS"]


def __getattr__(name: str) -> Any:
    """`EVENT_KINDS`, read from `types` when first asked for (it imports the notifiers)."""
    if name == "EVENT_KINDS":
        return types.EVENT_KINDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
