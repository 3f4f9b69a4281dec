"""The date printed with an article's headline, for pages that declare no publication time in their markup.

Vietnamese portals and papers print it right under the headline, or just above it: "Thứ Năm, 09/10/2025
15:40", "28/10/2024 | 14:35", "Ngày 12/05/2025 09:20". Only that place is read — a few lines of text next to
the headline — never the page at large, whose header prints today's date, whose lists and sidebars print
other articles' dates and whose body quotes documents' dates.

>>> import lxml.html
>>> page = lxml.html.document_fromstring("<p>Thứ Sáu, 10/10/2025</p><nav>Tin tức</nav><h1>Bảo đảm vận hành</h1>"
...                                      "<div>Thứ Năm, 09/10/2025 15:40</div><p>Ngày 08/10/2025, UBND tỉnh họp.</p>")
>>> printed_date(page, "Bảo đảm vận hành").isoformat()
'2025-10-09T15:40:00+07:00'
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import lxml.html
from govmon.crawler.extract.dates import VN_TZ, parse_datetime

__all__ = ["printed_date", "headline"]

_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/.-])")
_TIME = re.compile(r"(?<![\d/:])(\d{1,2})\s?[:hH]\s?(\d{2})(?::\d{2})?(?:\s*([AaPp][Mm])\b)?(?![\d/])")
_NODES = 12  # text nodes read after the headline (the date line is one of the first few), 2 before it
_LINE = 60  # characters: a date line is short; a sentence that quotes a date ("Ngày 08/10/2025, …") is not read
_TEXT = "[normalize-space()][not(parent::script)][not(parent::style)]"


def headline(tree: lxml.html.HtmlElement, title: str) -> lxml.html.HtmlElement | None:
    """The page's headline element: the one <h1>, else the first h1–h3 whose text is the title."""
    ones = tree.findall(".//h1")
    if len(ones) == 1:
        return ones[0]
    wanted = " ".join(title.split()).casefold()
    for heading in tree.iter("h1", "h2", "h3"):
        if wanted and " ".join(heading.text_content().split()).casefold() == wanted:
            return heading
    return None


def _read(text: str) -> datetime | None:
    """The first date of `text` with the time printed beside it (or midnight), local time. A time with
    AM/PM marks the US order M/D/YYYY of SharePoint and .NET portals ("1/8/2026 2:15:00 PM" is 8 January).

    >>> _read("1/8/2026 2:15:00 PM").isoformat(), _read("Thứ Hai, 28/10/2024 | 14:35").isoformat()
    ('2026-01-08T14:15:00+07:00', '2024-10-28T14:35:00+07:00')
    """
    found = _DATE.search(text)
    if found is None:
        return None
    day, month, year = (int(g) for g in found.groups())
    after, before = text[found.end():found.end() + 24], text[max(0, found.start() - 16):found.start()]
    near = _TIME.search(after) or _TIME.search(before)
    hour, minute, half = (int(near.group(1)), int(near.group(2)), (near.group(3) or "").upper()) if near else (0, 0, "")
    if half:
        day, month, hour = month, day, hour % 12 + (12 if half == "PM" else 0)
    try:
        return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
    except ValueError:
        return None


def _from_nodes(nodes: list[Any]) -> datetime | None:
    """A `<time datetime>` among the text nodes (lxml's text results, which know their element), else the
    first date of their short lines."""
    for node in nodes:
        holder = node.getparent()
        if holder is not None and holder.tag == "time" and not node.is_tail and holder.get("datetime"):
            declared = parse_datetime(holder.get("datetime"))
            if declared is not None:
                return declared
    return _read(" ".join(line for line in (" ".join(n.split()) for n in nodes) if len(line) <= _LINE))


def printed_date(tree: lxml.html.HtmlElement, title: str) -> datetime | None:
    """The date printed just after the headline, else just before it; None when neither place has one."""
    heading = headline(tree, title)
    if heading is None:
        return None
    after = heading.xpath(f"following::text(){_TEXT}[position() <= {_NODES}]")
    return _from_nodes(after) or _from_nodes(heading.xpath(f"preceding::text(){_TEXT}[position() <= 2]"))
