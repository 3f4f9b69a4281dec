"""What every route shares: the store and configuration of the running server (`Web`), a read-only session per
request, the templates (every value escaped), opaque keyset cursors, and the filters of an alert list.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.crawler.extract.dates import local_day
from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.analysis.documents import RELATION_VI
from govmon.monitor.config import Config
from govmon.storage.db import reader

__all__ = ["Web", "web_of", "read_session", "templates", "encode_cursor", "decode_cursor", "day_start", "KIND_LABELS",
           "outside_href", "document_path"]

KIND_LABELS = {"new_document": "Văn bản mới", "document_amended": "Văn bản được sửa đổi",
               "new_article": "Thông báo mới", "article_changed": "Bài được sửa", "article_gone": "Bài bị gỡ",
               "source_broken": "Nguồn hỏng", "source_recovered": "Nguồn hoạt động lại",
               "item_failed": "Không lưu được", "document_status": "Tình trạng hiệu lực"}


@dataclass(frozen=True)
class Web:
    """The running server's store, configuration, source definitions (by name) and API token ("" = none)."""

    engine: Engine
    config: Config
    definitions: Mapping[str, SourceDef]
    token: str = ""

    def provinces(self) -> list[str]:
        return sorted({d.province for d in self.definitions.values() if d.province})

    def sources_in(self, province: str) -> tuple[str, ...]:
        return tuple(sorted(n for n, d in self.definitions.items() if d.province == province))


def web_of(request: Request) -> Web:
    return request.app.state.web  # type: ignore[no-any-return]


def read_session(request: Request) -> Iterator[Session]:
    """A session for one request; nothing is ever committed by a view."""
    with Session(reader(web_of(request).engine)) as session:
        yield session


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("govmon.monitor.web", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = lambda iso: (iso or "")[:16].replace("T", " ")
    env.filters["href"] = outside_href
    env.filters["docurl"] = document_path
    env.globals.update(KIND_LABELS=KIND_LABELS, RELATION_VI=RELATION_VI)
    return env


def outside_href(url: str | None) -> str:
    """A scraped URL as a link target: only http(s), never `javascript:` or `data:` (escaping alone would
    keep those clickable)."""
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else "#"


def document_path(document_id: str) -> str:
    """The page of a document, with its id as users write it (`/documents/71/NQ-CP`)."""
    return "/documents/" + quote(document_id, safe="/@")


templates = Jinja2Templates(env=_environment())


def encode_cursor(last_id: int | None) -> str | None:
    """The position after a page, opaque to clients (they pass it back as ?cursor=)."""
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=") if last_id else None


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        version, _, value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        if version == "v1" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise HTTPException(400, "cursor: pass back the next_cursor of a previous page")


def day_start(value: str | None, end: bool = False) -> datetime | None:
    """A ?since=/?until= date (a day in Asia/Ho_Chi_Minh, its start or with `end` its last moment)."""
    if not value:
        return None
    try:
        return local_day(value, end)
    except ValueError:
        raise HTTPException(400, f"dates look like 2025-01-31, not {value[:40]!r}") from None

