"""Walk checkpoints: never past a list page with an unhandled link, the next page when all were handled,
nothing once a chain ended, old points kept for chains a run did not reach, unreadable files ignored."""
from __future__ import annotations

import json
from pathlib import Path

from govmon.monitor.service.walks import Checkpoint

CHAIN = "https://example.gov.vn/tin-tuc"


def _list(page: int, links: list[str], nxt: dict | None, chain: str = CHAIN) -> dict:
    return {"type": "list", "url": f"{chain}?p={page}", "links": links, "chain": chain, "page": page,
            "page_params": None, "next": nxt}


def _next(page: int, chain: str = CHAIN) -> dict:
    return {"url": f"{chain}?p={page}", "page": page, "page_params": None}


def _saved(path: Path) -> dict:
    return json.loads(path.read_text())["points"]


def test_the_point_is_the_first_page_with_a_link_not_handled(tmp_path):
    checkpoint = Checkpoint(tmp_path / "walk.json")
    for item in (_list(1, ["a", "b"], _next(2)), _list(2, ["c"], _next(3)), _list(3, ["d"], _next(4)),
                 {"type": "article", "url": "a"}, {"type": "known", "url": "c"}, {"type": "article", "url": "d"}):
        checkpoint.observe(item)
    checkpoint.save()
    assert _saved(tmp_path / "walk.json") == {CHAIN: {"url": f"{CHAIN}?p=1", "page": 1, "page_params": None}}


def test_when_every_page_was_handled_the_point_is_the_next_page(tmp_path):
    checkpoint = Checkpoint(tmp_path / "walk.json")
    for item in (_list(1, ["a"], _next(2)), _list(2, ["b"], _next(3)), {"type": "problem", "url": "a"},
                 {"type": "article", "url": "b-final", "redirected_from": ["b"]}):
        checkpoint.observe(item)
    checkpoint.save()
    assert _saved(tmp_path / "walk.json") == {CHAIN: _next(3)}


def test_a_chain_that_ended_leaves_no_file_and_unreached_chains_keep_their_point(tmp_path):
    path = tmp_path / "walk.json"
    other = "https://example.gov.vn/thong-bao"
    path.write_text(json.dumps({"points": {CHAIN: _next(5), other: _next(9, other)}}))
    checkpoint = Checkpoint(path)
    assert checkpoint.points[CHAIN] == _next(5)
    checkpoint.observe(_list(5, ["x"], None))
    checkpoint.observe({"type": "known", "url": "x"})
    checkpoint.save()
    assert _saved(path) == {other: _next(9, other)}
    again = Checkpoint(path)
    again.observe(_list(9, [], None, other))
    again.save()
    assert not path.exists()


def test_an_unreadable_checkpoint_means_walking_from_the_top(tmp_path):
    path = tmp_path / "walk.json"
    path.write_text("{not json")
    assert Checkpoint(path).points == {}


def test_a_checkpoint_that_cannot_be_written_is_a_warning_not_a_failure(tmp_path, caplog):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the directory should be")
    checkpoint = Checkpoint(blocked / "walk.json")
    checkpoint.observe(_list(1, ["a"], _next(2)))
    checkpoint.save()
    assert "not written" in caplog.text


def test_one_chain_ending_never_ends_another(tmp_path):
    other = "https://example.gov.vn/thong-bao"
    checkpoint = Checkpoint(tmp_path / "walk.json")
    for item in (_list(1, ["a"], _next(2)), _list(1, ["x"], _next(2, other), other), {"type": "known", "url": "a"},
                 {"type": "article", "url": "x"}, _list(2, [], None), _list(2, ["y"], _next(3, other), other),
                 {"type": "article", "url": "y"}):
        checkpoint.observe(item)
    checkpoint.save()
    assert _saved(tmp_path / "walk.json") == {other: _next(3, other)}


def test_a_list_page_refused_keeps_its_chain_at_that_page(tmp_path):
    """A page that produced a problem (too slow, too large, layout) instead of a list item is retried."""
    checkpoint = Checkpoint(tmp_path / "walk.json")
    for item in (_list(1, ["a"], _next(2)), {"type": "article", "url": "a"},
                 {"type": "problem", "url": f"{CHAIN}?p=2", "kind": "too_slow", "detail": "over 15 s"}):
        checkpoint.observe(item)
    checkpoint.save()
    assert _saved(tmp_path / "walk.json") == {CHAIN: _next(2)}
