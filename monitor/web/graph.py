"""A document's relation graph drawn server-side as an inline SVG: no JavaScript, no graphviz.

Input is the edges the registry computes (`govmon.monitor.pipeline.registry.graph`). The layout is layered
top to bottom along the direction of the relations, so "71/NQ-CP amends 03/NQ-CP implements 57-NQ/TW" reads
as a column with the amending document on top: relations that close a cycle are set aside by a depth-first
walk, the rest layered by longest path, layers ordered by the barycentre of their neighbours. A layer wider
than `PER_ROW` boxes wraps onto rows staggered by half a box, so the picture stays narrow enough for a phone;
an edge crossing rows threads between their boxes. Each node is a link, each node and edge carries a
`<title>` (the evidence, for relations), and every string goes through ElementTree, which escapes it.

>>> from govmon.monitor.pipeline.registry import Edge
>>> svg = relation_svg("71/NQ-CP", [Edge("71/NQ-CP", "amends", "03/NQ-CP", "")], lambda key: "/d/" + key)
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.count("<a "), "sửa đổi" in svg
(True, 2, True)
"""
from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from govmon.monitor.analysis.documents import ALERTING, RELATION_VI
from govmon.monitor.pipeline.registry import Edge

__all__ = ["relation_svg", "MAX_NODES", "PER_ROW"]

MAX_NODES = 40  # documents drawn at most; the rest are counted in a note
PER_ROW = 2  # boxes side by side before a layer wraps: at most ~450 px wide, so text stays ~10 px on a phone
BOX_H, GAP_X, ROW_GAP, LAYER_GAP, MARGIN, NOTE_H = 44, 28, 16, 68, 12, 22
KEY_PX, LABEL_PX, EDGE_PX = 13, 11, 11
MIN_BOX_W, MAX_BOX_W = 120, 220
SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
INK, MUTED, LINE, ALERT, FOCUS = "#1e293b", "#475569", "#64748b", "#b45309", "#1d4ed8"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Pair = tuple[str, str]
Point = tuple[float, float]
Leg = tuple[float, float, float]  # an edge runs straight down (or up) at x from one y to another
Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass
class _Layout:
    box_w: float
    height: float = 0.0
    at: dict[str, Point] = field(default_factory=dict)  # top-left corner of each box
    row_of: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[float, list[float], int]] = field(default_factory=list)  # top, left of each box, layer
    left: float = 0.0  # how far edges and labels reach beyond the boxes' margins, on either side
    right: float = 0.0

    def reach(self, low: float, high: float) -> None:
        self.left, self.right = min(self.left, low - MARGIN / 2), max(self.right, high + MARGIN / 2)


def relation_svg(focus: str, edges: Sequence[Edge], href: Callable[[str], str],
                 labels: Mapping[str, str] | None = None, *, limit: int = MAX_NODES) -> str:
    """An inline ``<svg>`` of the relations around `focus`: one linked box per document (`href(key)`, with
    ``labels[key]``, e.g. its type, below the key), one arrow per related pair, at most `limit` documents
    (the nearest to `focus`), the others counted in a "+k more" note."""
    labels = labels or {}
    nodes, kept, hidden = _select(focus, edges, max(limit, 1))
    pairs = list(dict.fromkeys((e.source, e.target) for e in kept))
    layout = _place(_ordered(_layers(nodes, pairs), pairs, nodes), _box_width(nodes, labels))
    root = _root(focus, len(nodes), len(pairs), hidden)
    _draw_edges(root, kept, layout, _defs(root, focus))
    for node in nodes:
        _draw_node(root, node, node == focus, layout, href(node), labels.get(node, ""))
    if hidden:
        _note(root, layout, f"+{hidden} more documents not shown")
    _frame(root, layout)
    return ET.tostring(root, encoding="unicode")


# --- which documents and relations to draw

def _select(focus: str, edges: Iterable[Edge], limit: int) -> tuple[list[str], list[Edge], int]:
    """The documents to draw (the focus, then by distance from it in either direction), the relations
    among them, and how many documents were left out. Self-loops and repeated edges are dropped."""
    unique = list(dict.fromkeys(e for e in edges if e.source != e.target))
    neighbours: defaultdict[str, list[str]] = defaultdict(list)
    for e in unique:
        neighbours[e.source].append(e.target)
        neighbours[e.target].append(e.source)
    everyone = list(dict.fromkeys([*_reachable(focus, neighbours), *neighbours]))
    shown = set(everyone[:limit])
    return everyone[:limit], [e for e in unique if {e.source, e.target} <= shown], len(everyone) - len(shown)


def _reachable(start: str, neighbours: Mapping[str, list[str]]) -> list[str]:
    """Breadth-first from `start`, in the order met."""
    seen, queue = {start: None}, deque([start])
    while queue:
        for other in neighbours.get(queue.popleft(), ()):
            if other not in seen:
                seen[other] = None
                queue.append(other)
    return list(seen)


# --- layering: which row band each document sits in

def _adjacency(pairs: Iterable[Pair]) -> tuple[defaultdict[str, list[str]], defaultdict[str, list[str]]]:
    succ: defaultdict[str, list[str]] = defaultdict(list)
    pred: defaultdict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        succ[a].append(b)
        pred[b].append(a)
    return succ, pred


def _closing_cycles(nodes: Sequence[str], pairs: Sequence[Pair]) -> set[Pair]:
    """The pairs that close a cycle, as met by a depth-first walk from each node in turn (iterative, so a long
    chain cannot exhaust the stack; each node is entered once, so a cycle cannot hang it)."""
    succ, _ = _adjacency(pairs)
    state: dict[str, bool] = {}  # False while on the walk's path, True when done
    back: set[Pair] = set()
    for root in nodes:
        if root in state:
            continue
        state[root], stack = False, [(root, iter(succ[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = True
                stack.pop()
            elif child not in state:
                state[child] = False
                stack.append((child, iter(succ[child])))
            elif state[child] is False:
                back.add((node, child))
    return back


def _topological(nodes: Sequence[str], succ: Mapping[str, list[str]], pred: Mapping[str, list[str]]) -> list[str]:
    waiting = {n: len(pred.get(n, ())) for n in nodes}
    ready, order = deque(n for n in nodes if not waiting[n]), []
    while ready:
        order.append(node := ready.popleft())
        for child in succ.get(node, ()):
            waiting[child] -= 1
            if not waiting[child]:
                ready.append(child)
    return order


def _layers(nodes: Sequence[str], pairs: Sequence[Pair]) -> dict[str, int]:
    """Longest-path layers over the acyclic part: every relation points down. A document only pointing at
    others then moves down next to the nearest of them, so a lone circular sits just above what it guides."""
    back = _closing_cycles(nodes, pairs)
    succ, pred = _adjacency(p for p in pairs if p not in back)
    order, layer = _topological(nodes, succ, pred), {}
    for node in order:
        layer[node] = max((layer[p] + 1 for p in pred[node]), default=0)
    for node in reversed(order):
        if succ[node] and not pred[node]:
            layer[node] = min(layer[child] for child in succ[node]) - 1
    top = min(layer.values())
    return {node: value - top for node, value in layer.items()}


def _ordered(layer: Mapping[str, int], pairs: Sequence[Pair], nodes: Sequence[str]) -> list[list[str]]:
    """The documents of each layer, left to right: one sweep down and one up, each sorting a layer by the
    mean position of its neighbours in the layers already placed."""
    rows: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in nodes:
        rows[layer[node]].append(node)
    succ, pred = _adjacency(pairs)
    columns = _columns(rows)
    for index in range(1, len(rows)):
        _by_barycentre(rows[index], pred, _positions(rows[:index], columns), columns)
    for index in range(len(rows) - 2, -1, -1):
        _by_barycentre(rows[index], succ, _positions(rows[index + 1:], columns), columns)
    return rows


def _positions(rows: Iterable[list[str]], columns: float) -> dict[str, float]:
    return {node: left for row in rows for node, (_, left) in zip(row, _grid(len(row), columns))}


def _by_barycentre(row: list[str], neighbours: Mapping[str, list[str]], placed: Mapping[str, float],
                   columns: float) -> None:
    current = _positions([row], columns)

    def key(node: str) -> float:
        known = [placed[n] for n in neighbours.get(node, ()) if n in placed]
        return sum(known) / len(known) if known else current[node]
    row.sort(key=key)


# --- geometry

def _box_width(nodes: Sequence[str], labels: Mapping[str, str]) -> float:
    """One width for every box: the widest key or label, estimated from its length, within bounds."""
    needed = max(max(len(n) * KEY_PX * 0.7, len(labels.get(n, "")) * LABEL_PX * 0.6) for n in nodes) + 24
    return min(max(needed, MIN_BOX_W), MAX_BOX_W)


def _columns(layers: Sequence[Sequence[str]]) -> float:
    """How many slots (a box and the gap after it) wide the picture is; half a slot more when a layer wraps."""
    wrapped = any(len(layer) > PER_ROW for layer in layers)
    return min(PER_ROW, max(len(layer) for layer in layers)) + (0.5 if wrapped else 0)


def _grid(count: int, columns: float) -> list[tuple[int, float]]:
    """The places of a layer of `count` boxes as (row, left edge in slots), left to right: a wrapped layer's
    rows zigzag, so the documents' order is still their order across the page."""
    sizes = [min(PER_ROW, count - start) for start in range(0, count, PER_ROW)]
    places = [(number, _row_start(size, columns, number if len(sizes) > 1 else None) + j)
              for number, size in enumerate(sizes) for j in range(size)]
    return sorted(places, key=lambda place: (place[1], place[0]))


def _place(layers: list[list[str]], box_w: float) -> _Layout:
    """Boxes where `_grid` puts them, top to bottom by layer."""
    slot, layout, columns, y = box_w + GAP_X, _Layout(box_w), _columns(layers), MARGIN
    for index, layer in enumerate(layers):
        grid = _grid(len(layer), columns)
        count = 1 + max(number for number, _ in grid)
        for number in range(count):
            here = [(node, MARGIN + left * slot) for node, (row, left) in zip(layer, grid) if row == number]
            top = y + number * (BOX_H + ROW_GAP)
            layout.at.update((node, (left, top)) for node, left in here)
            layout.row_of.update((node, len(layout.rows)) for node, _ in here)
            layout.rows.append((top, [left for _, left in here], index))
        y += count * (BOX_H + ROW_GAP) - ROW_GAP + LAYER_GAP
    layout.right, layout.height = 2 * MARGIN + columns * slot - GAP_X, y - LAYER_GAP + MARGIN
    return layout


def _row_start(count: int, columns: float, number: int | None) -> float:
    """Where a row's first box starts, in slots. The rows of a wrapped layer alternate between two grids
    half a slot apart, so a line dropping from a box in one row passes between the boxes of the next."""
    centred = (columns - count) / 2
    if number is None:
        return centred
    grid = 0.5 * (number % 2)
    return grid + math.floor(centred - grid + 0.5)


def _route(layout: _Layout, source: str, target: str) -> list[Leg]:
    """The legs of an edge: out of the source, through a gap of every row in between, into the target;
    straight down through the rest of the source's layer, then bending across a gap between layers to
    wherever is nearest the target.
    Downward edges go bottom to top at the box centres; upward ones (closing a cycle) top to bottom, a
    quarter box to the right so they do not cover a downward edge between the same two documents."""
    first, last = layout.row_of[source], layout.row_of[target]
    down, w = first < last, layout.box_w
    shift = 0 if down else w / 4
    (sx, sy), (tx, ty) = layout.at[source], layout.at[target]
    sx, tx = sx + w / 2 + shift, tx + w / 2 + shift
    start, end = (sy + BOX_H, ty) if down else (sy, ty + BOX_H)
    legs, x, goal_layer = [(sx, start, start)], sx, layout.rows[last][2]
    for index in range(first + 1, last) if down else range(first - 1, last, -1):
        top, lefts, layer = layout.rows[index]
        x = _free_x(lefts, w, tx, x) if layer == goal_layer else _free_x(lefts, w, x, tx)
        legs.append((x, top, top + BOX_H) if down else (x, top + BOX_H, top))
        layout.reach(x, x)
    return legs + [(tx, end, end)]


def _free_x(lefts: Sequence[float], w: float, x: float, other: float) -> float:
    """`x` if no box of the row is in the way, else the nearest gap (towards `other` on a tie)."""
    if not any(left - 3 <= x <= left + w + 3 for left in lefts):
        return x
    gaps = [left - GAP_X / 2 for left in lefts] + [left + w + GAP_X / 2 for left in lefts]
    return min(gaps, key=lambda gap: (abs(gap - x), abs(gap - other)))


def _path_data(legs: Sequence[Leg]) -> str:
    """Straight legs joined by S-curves with vertical tangents, so the arrowhead points straight in."""
    x, _, y = legs[0]
    parts = [f"M{_n(x)},{_n(y)}"]
    for (x0, _, y0), (x1, enter, leave) in pairwise(legs):
        mid = (y0 + enter) / 2
        parts.append(f"C{_n(x0)},{_n(mid)} {_n(x1)},{_n(mid)} {_n(x1)},{_n(enter)}")
        if leave != enter:
            parts.append(f"L{_n(x1)},{_n(leave)}")
    return " ".join(parts)


def _spots(legs: Sequence[Leg], t: float) -> list[Point]:
    """Where the label may go, best first: at `t` along the curve across the first gap between layers
    (t < 0.5: near the source), the last (t > 0.5) or the middle one, then elsewhere along the curves."""
    curves = [((x0, y0), (x1, enter)) for (x0, _, y0), (x1, enter, _) in pairwise(legs)]
    wide = [c for c in curves if abs(c[1][1] - c[0][1]) > ROW_GAP + 1] or curves
    best = wide[0] if t < 0.5 else wide[-1] if t > 0.5 else wide[len(wide) // 2]
    others = [c for c in wide if c is not best]
    steps = dict.fromkeys((t, 0.5, 0.25, 0.75, 0.35, 0.65, 0.15, 0.85))
    return [_on_curve(curve, at) for curve in [best, *others] for at in steps]


def _on_curve(curve: tuple[Point, Point], t: float) -> Point:
    """The point at `t` on one S-curve of `_path_data` (a cubic Bézier, controls at mid height)."""
    (x0, y0), (x1, y1) = curve
    return x0 + (x1 - x0) * (3 * t * t - 2 * t ** 3), y0 + (y1 - y0) * (1.5 * t * (1 - t) + t ** 3)


def _n(value: float) -> str:
    return f"{round(value, 1):g}"


# --- drawing

def _clean(text: str) -> str:
    """Text XML 1.0 can carry: control characters (a scraped NUL, say) are dropped. Escaping is ElementTree's."""
    return _NOT_XML.sub("", text)


def _fit(text: str, px: int, width: float, em: float) -> str:
    room = max(int((width - 16) / (px * em)), 4)
    return text if len(text) <= room else text[:room - 1] + "…"


def _root(focus: str, nodes: int, relations: int, hidden: int) -> ET.Element:
    name = _clean(f"Relations of {focus}: {nodes} documents, {relations} related pairs"
                  + (f", {hidden} more documents not shown" if hidden else ""))
    root = ET.Element("svg", {"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS, "class": "relation-graph", "role": "group",
                              "aria-label": name, "font-family": FONT})
    ET.SubElement(root, "title").text = name
    return root


def _frame(root: ET.Element, layout: _Layout) -> None:
    """Size the picture to what was drawn: width and height give its natural size in pixels, the viewBox
    lets the page's stylesheet scale it down to a phone (``svg.relation-graph { max-width: 100%; height:
    auto }``). No style attribute: the pages' Content-Security-Policy allows no inline style."""
    width = layout.right - layout.left
    root.attrib.update({"viewBox": f"{_n(layout.left)} 0 {_n(width)} {_n(layout.height)}",
                        "width": str(math.ceil(width)), "height": str(math.ceil(layout.height)),
                        "preserveAspectRatio": "xMidYMin meet"})


def _note(root: ET.Element, layout: _Layout, text: str) -> None:
    layout.height += NOTE_H
    _text(root, ((layout.left + layout.right) / 2, layout.height - MARGIN - 6), text, LABEL_PX, MUTED)


def _defs(root: ET.Element, focus: str) -> dict[bool, str]:
    """Arrowhead markers, one per colour (alerting relations stand out), with ids unique to this focus so two
    graphs on one page keep their own."""
    stem = "rg" + hashlib.blake2s(focus.encode(), digest_size=4).hexdigest()
    defs, ids = ET.SubElement(root, "defs"), {False: f"{stem}-arrow", True: f"{stem}-arrow-alert"}
    for alerting, marker_id in ids.items():
        marker = ET.SubElement(defs, "marker", {
            "id": marker_id, "viewBox": "0 0 10 10", "refX": "10", "refY": "5", "markerWidth": "7",
            "markerHeight": "7", "orient": "auto", "markerUnits": "userSpaceOnUse"})
        ET.SubElement(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": ALERT if alerting else LINE})
    return ids


def _draw_edges(root: ET.Element, edges: Sequence[Edge], layout: _Layout, ids: Mapping[bool, str]) -> None:
    """One arrow per related pair: relations between the same two documents share it and its label, which
    sits near whichever end has fewer arrows (so a fan's labels spread out), each near its own source when
    the pair is related both ways, and clear of the labels already placed."""
    grouped: dict[Pair, list[Edge]] = {}
    for e in edges:
        grouped.setdefault((e.source, e.target), []).append(e)
    outgoing, incoming = _degrees(grouped, 0), _degrees(grouped, 1)
    placed: list[tuple[Box, str | None]] = [((x - 2, y - 2, x + layout.box_w + 2, y + BOX_H + 2), None)
                                            for x, y in layout.at.values()]  # labels keep off the boxes too
    for (source, target), group in grouped.items():
        fewer = (outgoing[source] > incoming[target]) - (outgoing[source] < incoming[target])
        t = 0.25 if (target, source) in grouped else 0.5 + 0.25 * fewer
        legs = _route(layout, source, target)
        box = _label_box(_verbs(group), _spots(legs, t), placed)
        if box is not None:
            layout.reach(box[0], box[2])
        _draw_edge(root, group, legs, ids, box)


def _degrees(grouped: Mapping[Pair, list[Edge]], end: int) -> dict[str, int]:
    counts: defaultdict[str, int] = defaultdict(int)
    for pair in grouped:
        counts[pair[end]] += 1
    return counts


def _draw_edge(root: ET.Element, group: list[Edge], legs: Sequence[Leg], ids: Mapping[bool, str],
               label: Box | None) -> None:
    """The arrow, dashed when it points up (closing a cycle), with its relations as title and `label` (the
    Vietnamese verbs; the English kind is in the title with the evidence)."""
    first, alerting = group[0], any(e.rel in ALERTING for e in group)
    colour = ALERT if alerting else LINE
    g = ET.SubElement(root, "g", {"class": "edge alerting" if alerting else "edge",
                                  "data-source": _clean(first.source), "data-target": _clean(first.target)})
    ET.SubElement(g, "title").text = _clean("\n".join(_edge_title(e) for e in group))
    dashes = {} if legs[0][1] < legs[-1][1] else {"stroke-dasharray": "5 3"}
    ET.SubElement(g, "path", {"d": _path_data(legs), "fill": "none", "stroke": colour, "stroke-width": "1.5",
                              "marker-end": f"url(#{ids[alerting]})", **dashes})
    if label is not None:
        _label(g, label, _verbs(group), colour)


def _verbs(group: Sequence[Edge]) -> str:
    return ", ".join(dict.fromkeys(RELATION_VI.get(e.rel, e.rel) for e in group))


def _label_box(text: str, spots: Sequence[Point], placed: list[tuple[Box, str | None]]) -> Box | None:
    """Where the label goes, recorded in `placed`: the first spot on the line, or else beside it, that
    overlaps no box and no other label. None when the same words already sit at the best spot (edges sharing
    a channel) or when there is no room at all: the arrow's title still names the relation."""
    w, h = len(text) * EDGE_PX * 0.56 + 8, EDGE_PX * 1.4
    beside = [(x + side * (w / 2 + 6), y) for x, y in spots for side in (-1, 1)]
    boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in [*spots, *beside]]
    if any(words == text and max(abs(a - b) for a, b in zip(box, boxes[0])) < 4 for box, words in placed):
        return None
    free = next((box for box in boxes if not any(_overlap(box, other) for other, _ in placed)), None)
    if free is not None:
        placed.append((free, text))
    return free


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label(parent: ET.Element, box: Box, text: str, colour: str) -> None:
    """Words on a white plate, so the line under them does not run through the letters."""
    left, top, right, bottom = box
    ET.SubElement(parent, "rect", {"x": _n(left), "y": _n(top), "width": _n(right - left),
                                   "height": _n(bottom - top), "rx": "3", "fill": "#ffffff", "fill-opacity": "0.9"})
    _text(parent, ((left + right) / 2, (top + bottom) / 2 + EDGE_PX * 0.35), text, EDGE_PX, colour)


def _edge_title(e: Edge) -> str:
    verb = RELATION_VI.get(e.rel)
    kind = f"{e.rel} ({verb})" if verb else e.rel
    return f"{e.source} {kind} {e.target}" + (f": {e.evidence.strip()[:300]}" if e.evidence.strip() else "")


def _draw_node(root: ET.Element, key: str, focus: bool, layout: _Layout, url: str, label: str) -> None:
    """A rounded box linking to the document, the focus filled; its key, and its label below when given."""
    (x, y), w, url = layout.at[key], layout.box_w, _clean(url)
    link = ET.SubElement(root, "a", {"href": url, "xlink:href": url, "class": "node focus" if focus else "node",
                                     "data-key": _clean(key), **({"aria-current": "page"} if focus else {})})
    ET.SubElement(link, "title").text = _clean(f"{key} — {label}" if label else key)
    ET.SubElement(link, "rect", {"x": _n(x), "y": _n(y), "width": _n(w), "height": str(BOX_H), "rx": "8",
                                 "fill": FOCUS if focus else "#ffffff", "stroke": FOCUS if focus else LINE,
                                 "stroke-width": "2" if focus else "1.2"})
    ink, muted = ("#ffffff", "#dbeafe") if focus else (INK, MUTED)
    _text(link, (x + w / 2, y + (18 if label else BOX_H / 2 + 4.5)), _fit(key, KEY_PX, w, 0.7), KEY_PX, ink,
          bold=True)
    if label:
        _text(link, (x + w / 2, y + 34), _fit(label, LABEL_PX, w, 0.6), LABEL_PX, muted)


def _text(parent: ET.Element, at: Point, text: str, px: int, fill: str, bold: bool = False) -> None:
    attributes = {"x": _n(at[0]), "y": _n(at[1]), "font-size": str(px), "text-anchor": "middle", "fill": fill}
    if bold:
        attributes["font-weight"] = "600"
    ET.SubElement(parent, "text", attributes).text = _clean(text)
