"""Whether a document is still in force, as far as the relations govmon has seen say: replaced or repealed
(by what), partly amended (by what), suspended, not yet in force (its effective date is ahead), or in force.
Inferred from announcements only, and said so: a user must be able to tell an inference from an authority.

>>> from govmon.monitor.pipeline.registry import Edge
>>> status_of("03/NQ-CP", None, [Edge("71/NQ-CP", "amends", "03/NQ-CP", "")], "2025-06-01").state
'amended'
>>> status_of("03/NQ-CP", "2099-01-01", [], "2025-06-01").state
'not_yet'
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from govmon.monitor.pipeline.registry import Edge

__all__ = ["Status", "status_of", "STATUS_VI"]

STATUS_VI = {"in_force": "còn hiệu lực", "amended": "được sửa đổi một phần",
             "replaced": "đã bị thay thế", "repealed": "đã bị bãi bỏ", "suspended": "bị đình chỉ",
             "not_yet": "chưa có hiệu lực"}
_ENDING = (("repeals", "repealed"), ("replaces", "replaced"), ("suspends", "suspended"), ("amends", "amended"))


@dataclass(frozen=True)
class Status:
    state: str
    by: list[str] = field(default_factory=list)  # the documents that made it so
    basis: str = "inferred from announcements"

    @property
    def label(self) -> str:
        return STATUS_VI[self.state]


def status_of(key: str, effective_on: str | None, edges: Sequence[Edge], today: str) -> Status:
    """The status of the document `key` on `today` (ISO date) from the relations that point at it."""
    for rel, state in _ENDING:
        by = sorted({e.source for e in edges if e.target == key and e.rel == rel})
        if by:
            return Status(state, by)
    if effective_on and effective_on > today:
        return Status("not_yet")
    return Status("in_force")
