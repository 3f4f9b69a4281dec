"""The relation graph as SVG: parsed back with lxml and checked by what it shows and where — boxes, links,
arrows between the right boxes pointing the right way, the focus, the labels, escaping, the size limit."""
from __future__ import annotations

import re
from itertools import combinations, pairwise
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from govmon.monitor.pipeline.registry import Edge
from govmon.monitor.web.graph import MAX_NODES, relation_svg

SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
S, XLINK_HREF = f"{{{SVG_NS}}}", f"{{{XLINK_NS}}}href"
SVG_TAGS = {"svg", "title", "defs", "marker", "path", "a", "rect", "text", "g"}


def href(key: str) -> str:
    return "/documents/" + quote(key, safe="/@")


def draw(focus: str, edges: list[Edge], **options) -> etree._Element:
    return etree.fromstring(relation_svg(focus, edges, href, **options))


def nodes(svg: etree._Element) -> dict[str, etree._Element]:
    return {a.get("data-key"): a for a in svg.iter(f"{S}a")}


def arrows(svg: etree._Element) -> dict[tuple[str, str], etree._Element]:
    return {(g.get("data-source"), g.get("data-target")): g for g in svg.iter(f"{S}g")
            if "edge" in g.get("class", "").split()}


def box(node: etree._Element) -> tuple[float, float, float, float]:
    """left, top, right, bottom of a node's rounded box, or of the plate under an arrow's label."""
    rect = node.find(f"{S}rect")
    x, y, w, h = (float(rect.get(name)) for name in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def centre_y(node: etree._Element) -> float:
    return (box(node)[1] + box(node)[3]) / 2


def ends(arrow: etree._Element) -> tuple[tuple[float, float], tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", arrow.find(f"{S}path").get("d"))]
    return (numbers[0], numbers[1]), (numbers[-2], numbers[-1])


def texts(element: etree._Element) -> list[str]:
    return [t.text for t in element.iter(f"{S}text")]


def title(element: etree._Element) -> str:
    return element.find(f"{S}title").text


def view_box(svg: etree._Element) -> tuple[float, float, float, float]:
    return tuple(float(n) for n in svg.get("viewBox").split())


def on_edge(point: tuple[float, float], node: etree._Element) -> str | None:
    """'top' or 'bottom' when `point` lies on that side of the node's box, else None."""
    left, top, right, bottom = box(node)
    if not left <= point[0] <= right:
        return None
    return "top" if abs(point[1] - top) < 0.2 else "bottom" if abs(point[1] - bottom) < 0.2 else None


CHAIN = [Edge("71/NQ-CP@2025", "amends", "03/NQ-CP@2025", "Nghị quyết 71/NQ-CP sửa đổi Nghị quyết 03/NQ-CP"),
         Edge("03/NQ-CP@2025", "implements", "57-NQ/TW", "thực hiện Nghị quyết 57-NQ/TW")]
FAN = [Edge("20/2024/NĐ-CP", "amends", "13/2023/NĐ-CP", "sửa đổi Nghị định 13/2023/NĐ-CP"),
       Edge("41/2025/NĐ-CP", "amends", "13/2023/NĐ-CP", "sửa đổi một số điều"),
       Edge("08/2024/TT-BCA", "guides", "13/2023/NĐ-CP", "hướng dẫn thi hành")]


def test_the_picture_is_an_svg_element_that_can_scale_and_names_itself() -> None:
    svg = draw("03/NQ-CP@2025", CHAIN)
    assert svg.tag == f"{S}svg" and svg.get("role") and "03/NQ-CP@2025" in svg.get("aria-label")
    assert title(svg) == svg.get("aria-label") and svg[0].tag == f"{S}title"
    _, _, width, height = view_box(svg)
    assert (int(svg.get("width")), int(svg.get("height"))) == (round(width + 0.49), round(height + 0.49))
    assert all(element.get("style") is None for element in svg.iter())  # the pages' CSP forbids inline style


def test_a_chain_reads_top_down_with_every_document_a_link() -> None:
    svg = draw("71/NQ-CP@2025", CHAIN)
    drawn = nodes(svg)
    assert set(drawn) == {"71/NQ-CP@2025", "03/NQ-CP@2025", "57-NQ/TW"}
    for key, node in drawn.items():
        assert node.get("href") == node.get(XLINK_HREF) == href(key)
        assert texts(node)[0] == key and title(node) == key
    assert centre_y(drawn["71/NQ-CP@2025"]) < centre_y(drawn["03/NQ-CP@2025"]) < centre_y(drawn["57-NQ/TW"])


def test_each_relation_is_an_arrow_from_the_bottom_of_its_source_to_the_top_of_its_target() -> None:
    svg = draw("71/NQ-CP@2025", CHAIN)
    drawn, drawn_arrows = nodes(svg), arrows(svg)
    assert set(drawn_arrows) == {("71/NQ-CP@2025", "03/NQ-CP@2025"), ("03/NQ-CP@2025", "57-NQ/TW")}
    for (source, target), arrow in drawn_arrows.items():
        start, end = ends(arrow)
        assert on_edge(start, drawn[source]) == "bottom" and on_edge(end, drawn[target]) == "top"
        marker = arrow.find(f"{S}path").get("marker-end")
        assert svg.find(f".//{S}marker[@id='{marker[5:-1]}']") is not None


def test_arrows_carry_the_verb_as_label_and_kind_and_evidence_as_tooltip() -> None:
    drawn = arrows(draw("71/NQ-CP@2025", CHAIN))
    amends = drawn[("71/NQ-CP@2025", "03/NQ-CP@2025")]
    assert texts(amends) == ["sửa đổi"] and texts(drawn[("03/NQ-CP@2025", "57-NQ/TW")]) == ["thực hiện"]
    assert title(amends) == f"71/NQ-CP@2025 amends (sửa đổi) 03/NQ-CP@2025: {CHAIN[0].evidence}"
    assert "alerting" in amends.get("class") and "alerting" not in drawn[("03/NQ-CP@2025", "57-NQ/TW")].get("class")


def test_a_decree_amended_by_two_and_guided_by_a_circular_sits_below_all_three() -> None:
    svg = draw("13/2023/NĐ-CP", FAN)
    drawn, drawn_arrows = nodes(svg), arrows(svg)
    assert len(drawn) == 4 and set(drawn_arrows) == {(e.source, e.target) for e in FAN}
    decree = centre_y(drawn["13/2023/NĐ-CP"])
    assert all(centre_y(drawn[e.source]) < decree for e in FAN)
    assert sorted(t for arrow in drawn_arrows.values() for t in texts(arrow)) == ["hướng dẫn", "sửa đổi", "sửa đổi"]
    for (source, target), arrow in drawn_arrows.items():
        assert [on_edge(point, drawn[key]) for point, key in zip(ends(arrow), (source, target))] == ["bottom", "top"]


def test_a_document_only_pointing_at_another_sits_just_above_it() -> None:
    drawn = nodes(draw("A", [Edge("A", "amends", "B", ""), Edge("B", "implements", "C", ""),
                             Edge("X", "guides", "C", "")]))
    assert centre_y(drawn["A"]) < centre_y(drawn["X"]) == centre_y(drawn["B"]) < centre_y(drawn["C"])


def test_a_wrapped_layer_staggers_its_rows_so_arrows_drop_straight_between_boxes() -> None:
    svg = draw("D", [Edge(f"{i}/2024/NĐ-CP", "amends", "D", "") for i in range(4)])
    drawn = nodes(svg)
    sources_bottom = max(box(node)[3] for key, node in drawn.items() if key != "D")
    assert len({box(node)[1] for node in drawn.values()}) == 3  # two rows of sources, then D
    for arrow in arrows(svg).values():
        (x, _), _ = ends(arrow)
        assert {px for px, py in traced(arrow.find(f"{S}path").get("d")) if py <= sources_bottom} == {x}
    assert_tidy(svg)


def test_arrows_into_a_wrapped_layer_bend_before_it_and_drop_straight_into_their_box() -> None:
    svg = draw("F", [Edge("F", "cites", f"{i}/2019/QH14", "") for i in range(4)])
    targets_top = min(box(node)[1] for key, node in nodes(svg).items() if key != "F")
    for arrow in arrows(svg).values():
        _, (x, _) = ends(arrow)
        assert {px for px, py in traced(arrow.find(f"{S}path").get("d")) if py >= targets_top} == {x}
    assert_tidy(svg)


def test_in_a_fan_the_labels_sit_near_the_many_ends_not_the_crowded_one() -> None:
    for focus, edges in (("13/2023/NĐ-CP", FAN), ("F", [Edge("F", "cites", f"{i}/2019/QH14", "") for i in range(3)])):
        drawn = nodes(draw(focus, edges))
        crowd = box(drawn[focus])
        others = [box(node) for key, node in drawn.items() if key != focus]
        gap = (crowd[1] + max(b[3] for b in others)) / 2 if edges is FAN else (crowd[3] + min(b[1] for b in others)) / 2
        for arrow in arrows(draw(focus, edges)).values():
            middle = (box(arrow)[1] + box(arrow)[3]) / 2
            assert middle < gap if edges is FAN else middle > gap


def test_a_wrapped_layer_keeps_the_left_to_right_order_of_what_it_hangs_from() -> None:
    edges = [Edge("L", "guides", "a", ""), Edge("L", "guides", "b", ""), Edge("R", "guides", "b", ""),
             Edge("R", "guides", "c", "")]
    drawn = nodes(draw("L", edges))
    left = {key: box(node)[0] for key, node in drawn.items()}
    assert left["L"] < left["R"] and left["a"] < left["b"] < left["c"]
    assert len({box(drawn[key])[1] for key in "abc"}) == 2  # the layer wrapped


@pytest.mark.parametrize("pairs", [
    [("F", "b"), ("F", "a"), ("S", "b"), ("T", "a")],  # the top layer follows the one below
    [("F", "m0"), ("F", "m3"), ("n1", "m1"), ("n1", "m0"), ("m0", "z2"), ("m1", "z0"), ("m2", "z2")]])  # and down
def test_documents_are_ordered_so_arrows_between_two_layers_do_not_cross(pairs: list[tuple[str, str]]) -> None:
    edges = [Edge(source, "cites", target, "") for source, target in pairs]
    drawn = nodes(draw("F", edges))
    x, layer = {key: box(node)[0] for key, node in drawn.items()}, layers(drawn)
    for e, other in combinations(edges, 2):
        if layer[e.source] == layer[other.source] and layer[e.target] == layer[other.target]:
            assert (x[e.source] - x[other.source]) * (x[e.target] - x[other.target]) >= 0, (e, other)


def layers(drawn: dict[str, etree._Element]) -> dict[str, int]:
    """The layer of each box: rows closer than a gap between layers (68 px) belong to one layer."""
    tops = sorted({box(node)[1] for node in drawn.values()})
    index = {tops[0]: 0}
    for above, below in pairwise(tops):
        index[below] = index[above] + (below - above > 44 + 16 + 1)
    return {key: index[box(node)[1]] for key, node in drawn.items()}


def test_the_focus_alone_is_highlighted() -> None:
    drawn = nodes(draw("03/NQ-CP@2025", CHAIN))
    focus = drawn.pop("03/NQ-CP@2025")
    assert focus.get("class").split() == ["node", "focus"] and focus.get("aria-current") == "page"
    others = {node.find(f"{S}rect").get("fill") for node in drawn.values()}
    assert len(others) == 1 and focus.find(f"{S}rect").get("fill") not in others
    assert all(node.get("class") == "node" and node.get("aria-current") is None for node in drawn.values())


def test_labels_go_below_the_key_and_into_the_tooltip() -> None:
    labels = {"71/NQ-CP@2025": "Nghị quyết", "57-NQ/TW": "Nghị quyết · Bộ Chính trị"}
    drawn = nodes(draw("71/NQ-CP@2025", CHAIN, labels=labels))
    assert texts(drawn["57-NQ/TW"]) == ["57-NQ/TW", "Nghị quyết · Bộ Chính trị"]
    assert title(drawn["71/NQ-CP@2025"]) == "71/NQ-CP@2025 — Nghị quyết"
    assert texts(drawn["03/NQ-CP@2025"]) == ["03/NQ-CP@2025"]
    key, label = drawn["57-NQ/TW"].findall(f"{S}text")
    assert float(key.get("y")) < float(label.get("y"))


def test_a_document_without_relations_is_one_linked_box() -> None:
    svg = draw("13/2023/NĐ-CP", [])
    assert list(nodes(svg)) == ["13/2023/NĐ-CP"] and not arrows(svg)


def test_relations_between_the_same_two_documents_share_one_arrow() -> None:
    edges = [Edge("A/NQ-CP", "amends", "B/NQ-CP", "sửa đổi"), Edge("A/NQ-CP", "cites", "B/NQ-CP", "căn cứ"),
             Edge("A/NQ-CP", "cites", "B/NQ-CP", "căn cứ")]
    drawn = arrows(draw("A/NQ-CP", edges))
    assert list(drawn) == [("A/NQ-CP", "B/NQ-CP")]
    assert texts(drawn[("A/NQ-CP", "B/NQ-CP")]) == ["sửa đổi, căn cứ"]
    assert title(drawn[("A/NQ-CP", "B/NQ-CP")]).splitlines() == [
        "A/NQ-CP amends (sửa đổi) B/NQ-CP: sửa đổi", "A/NQ-CP cites (căn cứ) B/NQ-CP: căn cứ"]


def test_cycles_terminate_and_the_relation_closing_one_points_up_dashed() -> None:
    edges = [Edge("A", "amends", "B", ""), Edge("B", "amends", "C", ""), Edge("C", "corrects", "A", ""),
             Edge("B", "corrects", "A", ""), Edge("C", "cites", "C", "")]
    svg = draw("A", edges)
    drawn, drawn_arrows = nodes(svg), arrows(svg)
    assert set(drawn) == {"A", "B", "C"} and len(drawn_arrows) == 4  # the self-loop is left out
    assert centre_y(drawn["A"]) < centre_y(drawn["B"]) < centre_y(drawn["C"])
    for (source, target), arrow in drawn_arrows.items():
        start, end = ends(arrow)
        upward = centre_y(drawn[target]) < centre_y(drawn[source])
        assert (arrow.find(f"{S}path").get("stroke-dasharray") is not None) == upward
        assert [on_edge(start, drawn[source]), on_edge(end, drawn[target])] == (
            ["top", "bottom"] if upward else ["bottom", "top"])


def test_hostile_keys_labels_and_evidence_stay_text() -> None:
    script, img = "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'
    evidence = "a & b \"quoted\" 'single' <b>bold</b>\x00\x1b end"
    raw = relation_svg(script, [Edge(script, "amends", img, evidence)], href, {img: "<i>&amp;</i>"})
    svg = etree.fromstring(raw)
    assert {element.tag for element in svg.iter()} <= {f"{S}{tag}" for tag in SVG_TAGS}
    assert "<script" not in raw and "<img" not in raw
    drawn = nodes(svg)
    assert set(drawn) == {script, img} and title(drawn[img]) == f"{img} — <i>&amp;</i>"
    assert drawn[img].get("href") == href(img) == drawn[img].get(XLINK_HREF)
    expected = f"{script} amends (sửa đổi) {img}: a & b \"quoted\" 'single' <b>bold</b> end"  # NUL and ESC dropped
    assert title(arrows(svg)[(script, img)]) == expected
    assert script in svg.get("aria-label")


def test_long_keys_are_shortened_on_the_box_but_whole_in_the_tooltip() -> None:
    key = "1234/2025/QĐ-UBND-" + "X" * 60
    node = nodes(draw(key, []))[key]
    assert texts(node)[0].endswith("…") and len(texts(node)[0]) < len(key) and title(node) == key
    left, _, right, _ = box(node)
    assert right - left <= 220


def test_at_most_the_limit_of_documents_the_nearest_first_with_a_note() -> None:
    near = [Edge("F", "cites", f"N{i}", "") for i in range(5)]
    far = [Edge(f"N{i}", "cites", f"M{i}-{j}", "") for i in range(5) for j in range(10)]
    svg = draw("F", near + far, limit=10)
    drawn = nodes(svg)
    assert len(drawn) == 10 and {"F", *(f"N{i}" for i in range(5))} <= set(drawn)
    assert all(set(key) <= set(drawn) for key in arrows(svg))
    assert "+46 more documents not shown" in texts(svg) and "46 more documents not shown" in svg.get("aria-label")


def test_the_default_limit_applies() -> None:
    svg = draw("F", [Edge("F", "cites", f"{i}/2020/NĐ-CP", "") for i in range(MAX_NODES + 20)])
    assert len(nodes(svg)) == MAX_NODES and "+21 more documents not shown" in texts(svg)


def test_a_fan_of_ten_stays_narrow_enough_for_a_phone_and_no_boxes_overlap() -> None:
    edges = [Edge(f"{i}/2024/QĐ-UBND", "implements", "13/2023/NĐ-CP", "") for i in range(10)]
    svg = draw("13/2023/NĐ-CP", edges)
    assert view_box(svg)[2] <= 480
    assert_tidy(svg)


def assert_tidy(svg: etree._Element) -> None:
    """No two boxes overlap, no arrow runs through a box, and everything lies inside the picture."""
    left, top, width, height = view_box(svg)
    boxes = [box(node) for node in nodes(svg).values()]
    for a, b in combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    points = [xy for arrow in arrows(svg).values() for xy in traced(arrow.find(f"{S}path").get("d"))]
    for x, y in points:
        assert not any(b[0] + 1 < x < b[2] - 1 and b[1] + 1 < y < b[3] - 1 for b in boxes), (x, y)
    plates = [(box(arrow), texts(arrow)[0]) for arrow in arrows(svg).values() if texts(arrow)]
    for (a, words), (b, other) in combinations(plates, 2):
        assert words == other or a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (words, other)
    points += [(float(t.get("x")), float(t.get("y"))) for t in svg.iter(f"{S}text")]
    points += [corner for b in boxes for corner in ((b[0], b[1]), (b[2], b[3]))]
    assert all(left <= x <= left + width and top <= y <= top + height for x, y in points)


def traced(d: str) -> list[tuple[float, float]]:
    """Points every few pixels along a path of M, L and C commands."""
    points: list[tuple[float, float]] = []
    for command, numbers in re.findall(r"([MLC])([^MLC]*)", d):
        xy = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
        controls = [points[-1], *zip(xy[::2], xy[1::2])] if points else list(zip(xy[::2], xy[1::2]))
        points += [_bezier(controls, i / 40) for i in range(1, 41)] if command != "M" else controls
    return points


def _bezier(controls: list[tuple[float, float]], t: float) -> tuple[float, float]:
    while len(controls) > 1:
        controls = [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for a, b in zip(controls, controls[1:])]
    return controls[0]


def test_tracing_a_path_follows_its_lines_and_curves() -> None:
    points = traced("M0,0 L0,10 C0,20 10,20 10,30")
    assert points[0] == (0, 0) and (0, 5) in points and points[-1] == (10, 30) and (5, 20) in points


def test_two_graphs_on_one_page_keep_their_own_arrowheads() -> None:
    ids = [{m.get("id") for m in draw(focus, CHAIN).iter(f"{S}marker")} for focus in ("71/NQ-CP@2025", "57-NQ/TW")]
    assert ids[0] and not ids[0] & ids[1]


KEYS = st.sampled_from(["A", "B", "C", "D", "E", "F", "G", "H", "<&>", "13/2023/NĐ-CP"])
EDGES = st.lists(st.builds(Edge, KEYS, st.sampled_from(["amends", "guides", "cites", "odd"]), KEYS,
                           st.text(max_size=20)), max_size=25)


@settings(max_examples=150, deadline=None)
@given(EDGES, KEYS, st.integers(min_value=1, max_value=12))
def test_any_graph_is_well_formed_tidy_and_points_down_unless_closing_a_cycle(edges: list[Edge], focus: str,
                                                                            limit: int) -> None:
    svg = draw(focus, edges, limit=limit)
    drawn = nodes(svg)
    everyone = {focus} | {key for e in edges if e.source != e.target for key in (e.source, e.target)}
    assert focus in drawn and len(drawn) == min(len(everyone), limit)
    assert_tidy(svg)
    down = set()
    for (source, target), arrow in arrows(svg).items():
        start, end = ends(arrow)
        if on_edge(start, drawn[source]) == "bottom":
            assert on_edge(end, drawn[target]) == "top" and start[1] < end[1]
            down.add((source, target))
        else:
            assert (on_edge(start, drawn[source]), on_edge(end, drawn[target])) == ("top", "bottom")
    assert is_acyclic(down)
    if is_acyclic({(e.source, e.target) for e in edges if e.source != e.target}):
        assert down == set(arrows(svg))


def is_acyclic(pairs: set[tuple[str, str]]) -> bool:
    remaining = set(pairs)
    while remaining:
        sources = {a for a, _ in remaining} - {b for _, b in remaining}
        if not sources:
            return False
        remaining = {(a, b) for a, b in remaining if a not in sources}
    return True
