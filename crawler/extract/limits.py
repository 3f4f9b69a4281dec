"""How much work one hostile input may cost: every limit of govmon's inputs, in one place.

Each input kind has a size limit (checked here, by the pure functions, before any parsing), a time
budget (enforced by their callers — the spider and the WARC import — with a wall-clock alarm, because
extraction itself is pure and has no clock) and a memory bound (the size limit bounds what a parse can
build; the WARC import's extraction processes also get a hard data limit). Over a limit, an input is
**refused, never truncated**: a cut page would be stored as a shortened new version (a false "text
removed" alert). The one exception is a PDF's page count: the first `PDF_MAX_PAGES` pages are read and
the file is kept with a note, since the file itself is stored whole.

===================  ======================  ==============  ==================================
input                size                    time            refused as (NotContent kind)
===================  ======================  ==============  ==================================
HTML page (list,     PAGE_MAX_BYTES 5 MiB    PAGE_SECONDS    too_large / too_slow
article, WARC page)                          15 s
RSS/Atom feed        FEED_MAX_BYTES 5 MiB    FEED_SECONDS    too_large / too_slow; entity
                                             15 s            declarations: xml_entities
sitemap              SITEMAP_MAX_BYTES       FEED_SECONDS    too_large / too_slow / xml_entities
                     20 MiB, 50,000 entries
attachment (PDF,     ATTACHMENT_MAX_BYTES    ATTACHMENT_     too_large / too_slow
DOCX)                20 MiB                  SECONDS 60 s
DOCX zip             ZIP_MAX_ENTRIES 2,000,  —               too_large (before python-docx
                     ZIP_MAX_BYTES 50 MiB                    opens it)
                     unpacked, ratio 200:1
PDF                  PDF_MAX_PAGES 200 read, —               broken_file (pypdf's own limits)
                     PDF_STREAM_MAX_BYTES
                     20 MiB per stream
WARC record          the limit of its kind   PAGE_SECONDS    skipped: "record over N MB"
                     (page or attachment)    per page
===================  ======================  ==============  ==================================

The figures behind these choices (worst page time and peak memory at each limit) are measured by
``bench/limits.py`` and quoted in bench/README.md. Scrapy applies its own ``DOWNLOAD_MAXSIZE`` to the
decompressed body first; the spider asks for the smaller limit of each kind per request.

>>> refuse_over(6 * MIB, PAGE_MAX_BYTES, "page")
Traceback (most recent call last):
...
govmon.crawler.extract.types.NotContent: too_large: page of 6 MB, over the 5 MB limit
"""
from __future__ import annotations

from govmon.crawler.extract.types import NotContent

__all__ = [
    "MIB", "PAGE_MAX_BYTES", "FEED_MAX_BYTES", "SITEMAP_MAX_BYTES", "SITEMAP_MAX_ENTRIES", "ATTACHMENT_MAX_BYTES",
    "ZIP_MAX_ENTRIES", "ZIP_MAX_BYTES", "ZIP_MAX_RATIO", "PDF_MAX_PAGES", "PDF_STREAM_MAX_BYTES", "TEXT_MAX_CHARS",
    "PAGE_SECONDS", "FEED_SECONDS", "ATTACHMENT_SECONDS", "PAGE_MEMORY_BYTES", "refuse_over", "megabytes",
]

MIB = 1024 * 1024

# --- sizes (bytes of the decoded HTTP body: after Content-Encoding, before charset decoding) -----------
PAGE_MAX_BYTES = 5 * MIB  # the largest of 181 news pages of the extraction benchmark is 1.5 MB
FEED_MAX_BYTES = 5 * MIB
SITEMAP_MAX_BYTES = 20 * MIB  # the sitemap protocol allows 50 MB; Scrapy's DOWNLOAD_MAXSIZE is 20 MB
SITEMAP_MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file
ATTACHMENT_MAX_BYTES = 20 * MIB  # = DOWNLOAD_MAXSIZE: signed decrees with scanned annexes reach ~15 MB
ZIP_MAX_ENTRIES = 2_000  # a DOCX holds ~20 parts, a few hundred with embedded images
ZIP_MAX_BYTES = 50 * MIB  # all parts unpacked (declared, and counted while unpacking); python-docx parses it all
ZIP_MAX_RATIO = 200  # unpacked : packed, per part over 1 MiB (Word XML packs ~10:1, a zip bomb ~1000:1)
PDF_MAX_PAGES = 200  # pages whose text is read; the rest of a longer file is noted, not read
PDF_STREAM_MAX_BYTES = 20 * MIB  # one decompressed PDF stream (pypdf's default is 75 MB)
TEXT_MAX_CHARS = 2_000_000  # text taken from one attachment (a 200-page decree has ~600,000)

# --- time: wall-clock budgets, enforced by the callers of the pure functions (spider, WARC import) ----
PAGE_SECONDS = 15.0  # the worst page at PAGE_MAX_BYTES (generic extractor) took 7.7 s on a 2-core machine
FEED_SECONDS = 15.0  # feeds and sitemaps (a 5 MiB feed: 6.4 s in feedparser)
ATTACHMENT_SECONDS = 60.0  # 200 PDF pages of text

# --- memory: what one page's extraction may add to a WARC extraction process (hard data limit) -------
PAGE_MEMORY_BYTES = 1024 * MIB


def megabytes(size: int) -> str:
    """A size as people read it in a one-line error.

    >>> megabytes(5 * MIB), megabytes(6_500_000)
    ('5 MB', '6.2 MB')
    """
    value = size / MIB
    return f"{value:.0f} MB" if value == int(value) or value >= 10 else f"{value:.1f} MB"


def refuse_over(size: int, limit: int, what: str) -> None:
    """Raise NotContent("too_large") when `size` (bytes, or characters of text) is over `limit`."""
    if size > limit:
        raise NotContent("too_large", f"{what} of {megabytes(size)}, over the {megabytes(limit)} limit")
