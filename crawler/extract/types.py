"""Value types produced by the pure extraction functions (plain dataclasses, JSON-friendly)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["Attachment", "DocRef", "PartialRef", "Relation", "Article", "SelectorMismatch", "NotContent", "NotArticle"]


class SelectorMismatch(ValueError):
    """A selector matched a number of nodes outside what its source definition expects (layout drift)."""

    def __init__(self, name: str, selector: str, found: int, expected: str) -> None:
        super().__init__(f"selector {name!r} ({selector}) matched {found}, expected {expected}")
        self.name, self.selector, self.found, self.expected = name, selector, found, expected


class NotContent(ValueError):
    """The page is not an article: a challenge, an error or maintenance page, a soft 404, an empty body."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


class NotArticle(NotContent):
    """A page that answers normally but holds no article: a list, a search or login page, an error page
    dressed as HTML 200 (crawler.extract.notarticle). Its message is the reason alone ("a list of 24 items:
    headline links to other pages or the summaries beside them"); its kind, for problem reports, is "not_article"."""

    def __init__(self, reason: str) -> None:
        super().__init__("not_article", reason)
        self.args = (reason,)


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str = ""


@dataclass(frozen=True)
class DocRef:
    """A reference to a numbered document, in the conventions of DOCNUMBERS.md Part B."""

    raw: str
    type: str | None
    number: str
    year: int | None
    code: str
    id: str
    date: str | None = None
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("start", "end")}


@dataclass(frozen=True)
class PartialRef:
    """A number-only mention such as "Nghị quyết 57" (no sign, so no id)."""

    raw: str
    type: str
    number: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Relation:
    """`from_id` (the newer, acting document) `rel` `to_id`, with the sentence that states it; `intended`
    when only a draft, a bill, a proposal or a plan states it (not a fact: never alerted on)."""

    from_id: str
    rel: str
    to_id: str
    evidence: str = ""
    intended: bool = False

    def to_json(self) -> dict[str, Any]:
        data = {"from": self.from_id, "rel": self.rel, "to": self.to_id, "evidence": self.evidence}
        return {**data, "intended": True} if self.intended else data


@dataclass
class Article:
    """One article as extracted from its page; times are ISO 8601 strings with offset, or None."""

    url: str
    canonical_url: str
    source: str
    lang: str
    title: str
    lead: str
    text: str
    published_at: str | None = None
    modified_at: str | None = None
    author: str = ""
    category: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    doc_refs: list[DocRef] = field(default_factory=list)
    partial_refs: list[PartialRef] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    subject_text: str = ""  # where the page states its own document number, when the source says where
    extractor: str = "site"

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}  # shallow: lists are rebuilt below
        data["category"] = list(self.category)
        data["attachments"] = [asdict(a) for a in self.attachments]
        data["doc_refs"] = [r.to_json() for r in self.doc_refs]
        data["partial_refs"] = [r.to_json() for r in self.partial_refs]
        data["relations"] = [r.to_json() for r in self.relations]
        return data
