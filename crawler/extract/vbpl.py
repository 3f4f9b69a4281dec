"""Reading vbpl.vn, the Ministry of Justice's national database of legal documents (Microsoft SharePoint):
its search results, a document's "Thuộc tính" (properties: Số ký hiệu, Loại văn bản, Ngày ban hành, Ngày có
hiệu lực, Cơ quan ban hành, Người ký, *Tình trạng hiệu lực*), its "Lược đồ" (diagram: blocks of documents
that amend, replace, guide, suspend or end it, or that it does so to) and its "VB liên quan" (related
documents, grouped by the same kinds of labels, each with its dates).

A page that does not look like the one asked for (another tab, an error page, a redesign) raises
`NotVbplPage`: a status must never be read off the wrong page. Labels are matched without diacritics, so
"Văn bản sửa đổi" and "Van ban sua doi" read alike. Pure: HTML text in, values out.

>>> link_kind("Văn bản được sửa đổi"), link_kind("Văn bản sửa đổi"), link_kind("Văn bản quy định hết hiệu lực 1 phần")
(('amends', 'out', False), ('amends', 'in', False), ('ends', 'in', True))
>>> state_of("Còn hiệu lực"), state_of("Hết hiệu lực một phần"), state_of("Hết hiệu lực toàn bộ")
('in_force', 'partly_expired', 'expired')
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html

from govmon.crawler.extract.docrefs import canonical_id
from govmon.crawler.extract.html import node_text, parse
from govmon.crawler.extract.normalize import unaccent

__all__ = ["NotVbplPage", "VbplSite", "VbplHit", "VbplLink", "VbplProperties", "parse_search", "parse_properties",
           "parse_diagram", "parse_related", "state_of", "link_kind", "item_id", "VBPL_STATES"]

# Tình trạng hiệu lực as vbpl.vn words it (folded) → govmon's state; the longest wording is tried first.
VBPL_STATES = {"con hieu luc": "in_force", "het hieu luc toan bo": "expired", "het hieu luc mot phan": "partly_expired",
               "het hieu luc 1 phan": "partly_expired", "het hieu luc": "expired", "chua co hieu luc": "not_yet",
               "ngung hieu luc mot phan": "partly_suspended", "ngung hieu luc 1 phan": "partly_suspended",
               "ngung hieu luc": "suspended", "bi dinh chi": "suspended", "chua xac dinh": "unknown",
               "khong con phu hop": "unknown"}
_VERBS = (("sua doi", "amends"), ("bo sung", "amends"), ("thay the", "replaces"), ("bai bo", "repeals"),
          ("huy bo", "repeals"), ("het hieu luc", "ends"), ("dinh chi", "suspends"), ("ngung hieu luc", "suspends"),
          ("qd chi tiet", "guides"), ("quy dinh chi tiet", "guides"), ("huong dan", "guides"), ("hd", "guides"),
          ("can cu", "cites"), ("hop nhat", "consolidates"))
_ITEM = re.compile(r"[?&]ItemID=(\d+)", re.I)
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_EMPTY = "noi dung dang cap nhat"


class NotVbplPage(ValueError):
    """The page is not the vbpl.vn page it was fetched as."""


@dataclass(frozen=True)
class VbplSite:
    """Where vbpl.vn's pages are (`crawler/sources/registries/vbpl.toml`): a search URL with {keyword}, the
    tabs' URLs with {item}, the hosts, and the politeness of a crawl."""

    name: str
    title: str
    hosts: tuple[str, ...]
    search_url: str
    properties_url: str
    diagram_url: str
    related_url: str
    download_delay: float = 3.0
    tls_verify: bool = True
    max_results: int = 10

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VbplSite:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})

    def url(self, tab: str, item: str) -> str:
        pages = {"properties": self.properties_url, "diagram": self.diagram_url, "related": self.related_url}
        return pages[tab].format(item=item)


@dataclass(frozen=True)
class VbplHit:
    """One search result: vbpl.vn's ItemID, its title ("Nghị quyết 03/NQ-CP") and the id the title names."""

    item_id: str
    title: str
    doc_id: str | None
    url: str


@dataclass(frozen=True)
class VbplLink:
    """A document listed on a diagram or related tab: `rel` and `direction` say how it stands to the page's
    document ("in": it `rel`s the page's document; "out": the page's document `rel`s it; `rel` "" when the
    label states no relation, e.g. "Văn bản dẫn chiếu"); `partly` for "… 1 phần"."""

    group: str
    rel: str
    direction: str
    partly: bool
    title: str
    doc_id: str | None
    item_id: str
    url: str
    issued_on: str | None = None
    effective_on: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class VbplProperties:
    """A document's "Thuộc tính" tab."""

    item_id: str
    url: str
    sign: str
    doc_id: str | None
    doc_type: str
    title: str
    issued_on: str | None
    effective_on: str | None
    expires_on: str | None
    issuer: str
    signer_title: str
    signer: str
    status: str  # as the page words it: "Còn hiệu lực"
    state: str  # govmon's: in_force, expired, partly_expired, not_yet, suspended, partly_suspended, unknown
    facts: dict[str, str] = field(default_factory=dict)  # every labelled row, as the page words it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _folded(text: str) -> str:
    return " ".join(unaccent(text).lower().split())


def state_of(text: str) -> str:
    """govmon's state for a Tình trạng hiệu lực; "unknown" for a wording it does not know."""
    folded = _folded(text)
    for wording in sorted(VBPL_STATES, key=len, reverse=True):
        if wording in folded:
            return VBPL_STATES[wording]
    return "unknown"


def link_kind(label: str) -> tuple[str, str, bool]:
    """(relation, direction, partly) a diagram or related-documents label states. The passive labels ("được
    sửa đổi", "bị thay thế", "hết hiệu lực") list what the page's document acts on; "quy định hết hiệu lực"
    and the active ones list what acts on it; "căn cứ" lists what it is based on."""
    folded = _folded(label)
    rel = next((rel for words, rel in _VERBS if re.search(rf"(?<!\w){words}(?!\w)", folded)), "")
    partly = bool(re.search(r"(?:1|mot) phan", folded))
    if rel == "cites" or re.search(r"(?<!\w)(?:duoc|bi)(?!\w)", folded):
        return rel, "out", partly
    if rel == "ends" and "quy dinh" not in folded:
        return rel, "out", partly
    return rel, ("in" if rel else ""), partly


def item_id(url: str) -> str | None:
    found = _ITEM.search(url)
    return found.group(1) if found else None


def _iso(text: str) -> str | None:
    found = _DATE.search(text)
    if not found:
        return None
    day, month, year = (int(g) for g in found.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _id_of(title: str) -> str | None:
    """The canonical id a listed title names ("Nghị quyết 42/2017/QH14 Về thí điểm …"); None for "Không số"."""
    words = title.split()
    for size in (3, 2, 1):
        for start in range(min(len(words), 4)):
            found = canonical_id(" ".join(words[start:start + size]))
            if found:
                return found
    return None


def _tree(text: str, marker: str, what: str) -> lxml.html.HtmlElement:
    tree = parse(text)
    if not tree.cssselect(marker):
        raise NotVbplPage(f"not a vbpl.vn {what} page: no {marker}")
    return tree


def parse_search(text: str, url: str) -> list[VbplHit]:
    """The results of a search (`ul.listLaw`), in the site's order; [] when it says it found none."""
    tree = parse(text)
    items = tree.cssselect("ul.listLaw > li")
    if not items and not tree.cssselect("div.message"):
        raise NotVbplPage("not a vbpl.vn search result page: neither ul.listLaw nor div.message")
    hits = []
    for li in items:
        link = (li.cssselect("p.title a[href]") or [None])[0]
        found = item_id(link.get("href", "")) if link is not None else None
        if link is not None and found:
            title = node_text(link)
            hits.append(VbplHit(found, title, _id_of(title), urljoin(url, link.get("href"))))
    return hits


def _labelled(tree: lxml.html.HtmlElement) -> dict[str, tuple[str, list[lxml.html.HtmlElement]]]:
    """Folded label → (label, the value cells after it) of the properties table."""
    rows: dict[str, tuple[str, list[lxml.html.HtmlElement]]] = {}
    for row in tree.cssselect("div.vbProperties tr"):
        cells = row.findall("td")
        for i, cell in enumerate(cells):
            if "label" in (cell.get("class") or "").split():
                values = []
                for after in cells[i + 1:]:
                    if "label" in (after.get("class") or "").split():
                        break
                    values.append(after)
                rows.setdefault(_folded(node_text(cell)), (node_text(cell), values))
    return rows


def _value(rows: dict[str, tuple[str, list[lxml.html.HtmlElement]]], starts: str, index: int = 0) -> str:
    for key, (_, cells) in rows.items():
        if key.startswith(starts) and len(cells) > index:
            return node_text(cells[index])
    return ""


def _info(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """The "Hiệu lực: …", "Ngày có hiệu lực: …", "Ngày hết hiệu lực: …" lines above the tabs."""
    found = {}
    for li in tree.cssselect("div.vbInfo li"):
        label, _, value = node_text(li).partition(":")
        if value:
            found[_folded(label)] = value.strip()
    return found


def parse_properties(text: str, url: str) -> VbplProperties:
    """A "Thuộc tính" tab; the status is the one the table states (*Tình trạng hiệu lực*), else the banner's."""
    tree = _tree(text, "div.vbProperties", "Thuộc tính")
    rows, info = _labelled(tree), _info(tree)
    sign = _value(rows, "so ky hieu")
    if not sign:
        raise NotVbplPage("not a vbpl.vn Thuộc tính page: no Số ký hiệu row")
    status = _stated_status(tree) or info.get("hieu luc", "")
    doc_type = _value(rows, "loai van ban")
    title = next((node_text(td) for td in tree.cssselect("div.vbProperties td.title")
                  if not _folded(node_text(td)).startswith("tinh trang")), "")
    return VbplProperties(
        item_id(url) or "", url, sign, canonical_id(f"{doc_type} {sign}") or canonical_id(sign), doc_type, title,
        _iso(_value(rows, "ngay ban hanh")), _iso(_value(rows, "ngay co hieu luc") or info.get("ngay co hieu luc", "")),
        _iso(_value(rows, "ngay het hieu luc") or info.get("ngay het hieu luc", "")), _value(rows, "co quan ban hanh"),
        _value(rows, "co quan ban hanh", 1), _value(rows, "co quan ban hanh", 2), status,
        state_of(status) if status else "unknown",
        {label: " ".join(node_text(c) for c in cells) for label, cells in rows.values()})


def _stated_status(tree: lxml.html.HtmlElement) -> str:
    for td in tree.cssselect("div.vbProperties td.title"):
        label, _, value = node_text(td).partition(":")
        if _folded(label) == "tinh trang hieu luc":
            return value.strip()
    return ""


def parse_diagram(text: str, url: str) -> list[VbplLink]:
    """The documents a "Lược đồ" tab lists, block by block (the page's own document, "Văn bản hiện thời",
    left out)."""
    tree = _tree(text, "div.luocdo", "Lược đồ")
    links = []
    for block in tree.cssselect("div.luocdo"):
        head = block.cssselect("div.title, div.titleht")
        label = re.sub(r"\s*\(\d+\)\s*$", "", node_text(head[0])) if head else ""
        if not label or _folded(label) == "van ban hien thoi":
            continue
        for anchor in block.cssselect("div.content li a.jTips[href]"):
            links.append(_link(label, node_text(anchor), anchor.get("href", ""), url))
    return [link for link in links if link.item_id]


def _link(label: str, title: str, href: str, url: str, issued: str | None = None,
          effective: str | None = None) -> VbplLink:
    rel, direction, partly = link_kind(label)
    return VbplLink(label, rel, direction, partly, title, _id_of(title), item_id(href) or "", urljoin(url, href),
                    issued, effective)


def parse_related(text: str, url: str) -> list[VbplLink]:
    """The documents a "VB liên quan" tab lists, group by group, with their issue and effective dates."""
    tree = parse(text)
    boxes = [box for box in tree.cssselect("div.vbLienQuan")
             if box.cssselect("td.label") or _EMPTY in _folded(node_text(box))]
    if not boxes or tree.cssselect("div.toanvancontent"):
        raise NotVbplPage("not a vbpl.vn VB liên quan page: no div.vbLienQuan with labelled groups")
    links = []
    for label_cell in boxes[0].cssselect("td.label"):
        row = label_cell.getparent()
        for item in row.cssselect("ul.listVB > li"):
            links.append(_related(node_text(label_cell), item, url))
    return [link for link in links if link is not None and link.item_id]


def _related(label: str, item: lxml.html.HtmlElement, url: str) -> VbplLink | None:
    anchor = (item.cssselect("p.title a[href]") or [None])[0]
    if anchor is None:
        return None
    pairs = (node_text(li).partition(":") for li in item.cssselect("ul.info li"))
    dates = {_folded(label): value for label, _, value in pairs}
    return _link(label, node_text(anchor), anchor.get("href", ""), url, _iso(dates.get("ngay ban hanh", "")),
                 _iso(dates.get("ngay co hieu luc", "")))
