"""An article's history in time order: where a fetched or captured text goes among the stored versions.

Versions arrive in any order (a live fetch is always the newest; WARC captures come in whatever order the
files hold them), but the history is ordered by the time the page said it. A text becomes a new version only
where it differs from its neighbours in that order; only the newest version speaks for the article (its
title, its fields, the `article_changed` alert), so an older capture fills a gap and changes nothing else.

A known article whose page now fails its site's rules is read by the generic extractor; when that text is far
shorter than the last version or shares little of it — an error page inside the portal's chrome, a menu —
it is not the article, and never becomes a version.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from govmon.crawler.extract.fingerprint import content_hash
from govmon.monitor.analysis.changes import overlap
from govmon.storage import repository as repo
from govmon.storage.models import Article, Version

__all__ = ["Place", "place", "says", "implausible", "SHORTER", "KEPT"]

SHORTER = 0.5  # a generic text under half the length of the last version's is not a redesign of it
KEPT = 0.5  # nor is one that keeps less than half of its word 3-grams


@dataclass(frozen=True)
class Place:
    """Where a text captured at `when` goes: `newest` (it would be the latest version), `previous` (the
    version it follows in time), `same` (a neighbour already says this: no new version)."""

    newest: bool
    previous: Version | None
    same: bool


def place(session: Session, article: Article, when: datetime, digest: str) -> Place:
    before = repo.version_next_to(session, article.id, when, after=False)
    after = repo.version_next_to(session, article.id, when, after=True)
    same = any(v is not None and says(v, digest) for v in (before, after))
    return Place(newest=after is None, previous=before, same=same)


def says(version: Version, digest: str) -> bool:
    """Whether a stored version says what a text with this content hash says. Its stored hash was made by the
    comparison form of its day; when that form has since learnt to fold more (full-width digits, an
    ellipsis), its text is hashed again by today's rules, so a better normaliser never raises false changes."""
    return version.content_hash == digest or content_hash(version.title, version.lead, version.text) == digest


def implausible(latest: Version, extractor: str, text: str) -> str:
    """Why `text` (extracted by `extractor`) cannot be the next version after `latest`, or ""."""
    if extractor != "generic" or latest.extra.get("extractor", "site") == "generic":
        return ""
    if len(text) < SHORTER * len(latest.text):
        return f"the generic extraction ({len(text)} characters) is far shorter than the last version ({len(latest.text)})"
    kept = overlap(latest.text, text)
    if kept < KEPT:
        return f"the generic extraction keeps only {kept:.0%} of the last version's text"
    return ""
