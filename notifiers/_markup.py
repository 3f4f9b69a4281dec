"""Scraped text made inert for chat services: no mention pings, no markup interpreted.

Titles and bodies come from government web pages, which anyone who can edit one controls. What each
Apprise chat plugin does with a plain-text (``NotifyFormat.TEXT``) alert, read in Apprise 2.3's source
and pinned by tests/notifiers/test_markup.py on the payload that reaches a local server:

- ``tgram``: TEXT is converted to HTML by Apprise (escaped) and sent with ``parse_mode=HTML``; the title
  is blended into the body and converted too. Only ``@username`` mentions are left to neutralise.
- ``discord``: TEXT goes into ``content`` unchanged, and Discord renders content as Markdown and parses
  ``@everyone``, ``@here``, ``<@id>`` and ``<@&role>`` (no ``allowed_mentions`` is sent): escape Markdown,
  neutralise mentions. In embed mode (``?format=markdown``) Apprise itself turns any ``@word`` of the body
  into a ping, the ``x`` of ``vanthu@x.vn`` included, so for Discord every ``@`` before a word is
  neutralised, in addresses and links too.
- ``slack``: TEXT gets ``&``, ``<``, ``>`` escaped by Apprise (``<!channel>`` arrives as
  ``&lt;!channel&gt;``) and is sent with ``mrkdwn`` off; mentions are neutralised as well.
- ``matrix``/``matrixs``: TEXT is an ``m.text`` plain body; ``@room`` would notify the whole room.
- ``workflow``/``workflows`` (Teams): Apprise converts the body to escaped Markdown, but sends the title
  as given into a Markdown text block.

The rule the table serves: when Apprise passes the text through as TEXT, the service's own escaper runs
on title and body; when Apprise converts the body into the service's markup (HTML, Markdown) it escapes
the body itself, and the title is converted the same way unless Apprise blends it into the body. Mentions
are neutralised for every service in the table by a zero-width joiner after the ``@``. Services not in the
table (``json://``, ``mailto://``, ``ntfy://`` …) get the text unchanged: a machine or a mail client reads
it, not a chat renderer. New services are one line in `CHAT_MARKUP`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from apprise import NotifyFormat
from apprise.conversion import convert_between

__all__ = ["CHAT_MARKUP", "Markup", "ZWJ", "discord_markdown", "escape_for", "neutralise_mentions"]

Escape = Callable[[str], str]
ZWJ = "\u200d"

# "@" that starts a mention: @everyone, @here, @room, @name, <@123>, <@&456>, <@!789> — not a@b.vn.
_MENTION = re.compile(r"(?<![\w.+-])@(?=[\w&!#])")
_BROADCAST = re.compile(r"@(?=(?:everyone|here|channel|room|all)\b)", re.IGNORECASE)
_ANY_AT = re.compile(r"@(?=[\w&!#])")
# What a chat client turns into one link: it is left as it is (escaping it would break the link).
_URL = re.compile(r"https?://[^\s<>]+", re.IGNORECASE)


def _same(text: str) -> str:
    return text


def _outside_urls(text: str, escape: Escape, inside: Escape = _same) -> str:
    """Apply `escape` to the text between links and `inside` to the links."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts += [escape(text[last:match.start()]), inside(match.group())]
        last = match.end()
    return "".join([*parts, escape(text[last:])])


def neutralise_mentions(text: str) -> str:
    """A zero-width joiner after each mention's ``@``: shown the same, pings nobody.

    >>> neutralise_mentions("@everyone <@123> mail a@b.vn") == f"@{ZWJ}everyone <@{ZWJ}123> mail a@b.vn"
    True
    """
    return _outside_urls(text, lambda part: _MENTION.sub("@" + ZWJ, part),
                         lambda url: _BROADCAST.sub("@" + ZWJ, url))


def neutralise_every_at(text: str) -> str:
    """A zero-width joiner after every ``@`` that precedes a word, addresses and links included."""
    return _ANY_AT.sub("@" + ZWJ, text)


def discord_markdown(text: str) -> str:
    r"""Discord Markdown escaped (Apprise's CommonMark escaper; Discord drops a backslash before any
    punctuation), links kept whole so they stay clickable.

    >>> print(discord_markdown("**Luật** [x](https://evil.example) https://a.vn/b_c"))
    \*\*Luật\*\* \[x\]\(https://evil.example) https://a.vn/b_c
    """
    return _outside_urls(text, lambda part: convert_between(NotifyFormat.TEXT, NotifyFormat.MARKDOWN, part))


@dataclass(frozen=True)
class Markup:
    """What one chat service needs: an escaper for text Apprise passes through as TEXT, and a mention
    neutraliser applied in every format."""

    text: Escape = _same
    mentions: Escape = neutralise_mentions


CHAT_MARKUP: Mapping[str, Markup] = MappingProxyType({
    "discord": Markup(text=discord_markdown, mentions=neutralise_every_at),  # content is Markdown even as TEXT
    "slack": Markup(),  # Apprise escapes & < > of TEXT
    "tgram": Markup(),  # Apprise converts TEXT to escaped HTML, parse_mode=HTML
    "matrix": Markup(),  # m.text: a plain body
    "matrixs": Markup(),
    "workflow": Markup(),  # Teams: Apprise converts the body to escaped Markdown
    "workflows": Markup(),
})


def escape_for(scheme: str, plugin: Any, title: str, body: str) -> tuple[str, str]:
    """Title and body for `plugin` (an Apprise plugin of `scheme`), inert on that service."""
    markup = CHAT_MARKUP.get(scheme.lower())
    if markup is None:
        return title, body
    title, body = markup.mentions(title), markup.mentions(body)
    target = plugin.resolve_format(NotifyFormat.TEXT)
    if target == NotifyFormat.TEXT:  # passed through as it is
        return markup.text(title), markup.text(body)
    if plugin.title_maxlen > 0:  # Apprise converts the body, and sends a separate title as given
        title = convert_between(NotifyFormat.TEXT, target, title)
    return title, body
