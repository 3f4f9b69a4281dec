"""Whether a document is in force today, with the documents and dates that made it so, and from whom govmon
knows it. Two readings are kept apart: what vbpl.vn — the Ministry of Justice's national database, the
authority — last stated, and what govmon infers from announcements (the relations they state: replaced,
repealed, suspended, partly amended by what, and from when; the effective and expiry dates they state). The
stated reading wins; the inferred one is shown beside it, and when the two disagree the status says how.

States: in_force, amended (partly amended), partly_expired, replaced, repealed, expired, suspended,
partly_suspended, not_yet (its effective date is ahead), unknown. A replacement whose replacing document
takes effect later is not one yet: the document is in force until then, and the status says what is coming.

>>> from sqlmodel import Session

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.pipeline.registry import DocumentReport, Edge
from govmon.monitor.pipeline.status import ANNOUNCEMENT, ENDED, STATUS_EN, STATUS_VI, VBPL, today
from govmon.storage.models import DocumentStatus
from govmon.storage.repository.status import documents_by_keys, statuses_of
>>> s = status_of("03/NQ-CP", None, [Edge("71/NQ-CP", "amends", "03/NQ-CP", "")], "2025-06-01",
...               dates={"71/NQ-CP": Dates("2025-04-01", None)})
>>> s.state, s.by, s.causes[0].on
('amended', ['71/NQ-CP'], '2025-04-01')
>>> status_of("03/NQ-CP", "2099-01-01", [], "2025-06-01").state
'not_yet'
>>> status_of("130/2018/NĐ-CP", None, [Edge("23/2025/NĐ-CP", "replaces", "130/2018/NĐ-CP", "")], "2025-04-01",
...           dates={"23/2025/NĐ-CP": Dates("2025-02-10", "2025-04-10")}).coming
'replaced'
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.pipeline.registry import DocumentReport, Edge
from govmon.monitor.pipeline.status import ANNOUNCEMENT, ENDED, STATUS_EN, STATUS_VI, VBPL, today
from govmon.storage.models import DocumentStatus
from govmon.storage.repository.status import documents_by_keys, statuses_of

__all__ = ["Status", "Reading", "Cause", "Dates", "Statement", "status_of", "status_record", "status_for",
           "statement_record", "STATUS_VI", "STATUS_EN", "ENDED", "VBPL", "ANNOUNCEMENT", "INFERRED", "BOTH", "infer",
           "stated_reading"]

INFERRED = "inferred from announcements"
BOTH = "vbpl.vn, amendments from announcements"
_ENDING = (("repeals", "repealed"), ("replaces", "replaced"), ("suspends", "suspended"))
_CLASS = {"in_force": "in_force", "amended": "in_force", "replaced": "ended", "repealed": "ended", "expired": "ended"}
_STATED_REL = {"amended": "amends", "replaced": "replaces", "repealed": "repeals", "expired": "ends",
               "partly_expired": "ends", "suspended": "suspends", "partly_suspended": "suspends"}


@dataclass(frozen=True)
class Dates:
    """What is known of a document that acts on another: when it was issued and when it takes effect."""

    issued_on: str | None
    effective_on: str | None

    @property
    def since(self) -> str | None:
        return self.effective_on or self.issued_on


@dataclass(frozen=True)
class Statement:
    """One stored statement (a `DocumentStatus` row as the caller read it)."""

    source: str
    state: str = ""
    stated: str = ""
    effective_on: str | None = None
    expires_on: str | None = None
    by: tuple[str, ...] = ()
    evidence: str = ""
    url: str = ""
    checked_at: str | None = None


@dataclass(frozen=True)
class Cause:
    """A document that made the status so: `rel` it (amends, replaces, repeals, suspends, ends), from `on`
    (its effective date, else its issue date; `effective` says which), as `evidence` says."""

    document: str
    rel: str
    on: str | None = None
    effective: bool = False
    evidence: str = ""


@dataclass(frozen=True)
class Reading:
    """One source's view: vbpl.vn's statement, or govmon's inference from announcements."""

    state: str
    source: str
    since: str | None = None
    causes: tuple[Cause, ...] = ()
    stated: str = ""
    effective_on: str | None = None
    expires_on: str | None = None
    url: str = ""
    checked_at: str | None = None
    coming: str = ""  # a change announced for a later day ("replaced"), with its cause among `causes`


@dataclass(frozen=True)
class Status:
    state: str
    causes: list[Cause] = field(default_factory=list)
    basis: str = INFERRED
    since: str | None = None
    stated: Reading | None = None
    inferred: Reading | None = None
    disagreement: str = ""
    coming: str = ""

    @property
    def label(self) -> str:
        return STATUS_VI[self.state]

    @property
    def by(self) -> list[str]:
        """The documents that made it so (the ones that amend, replace, repeal, suspend or end it)."""
        return list(dict.fromkeys(c.document for c in self.causes if c.rel in _STATED_REL.values()))


def _cause(edge: Edge, dates: Mapping[str, Dates]) -> Cause:
    known = dates.get(edge.source, Dates(None, None))
    return Cause(edge.source, edge.rel, known.since, known.effective_on is not None, edge.evidence)


def _ending(key: str, edges: Sequence[Edge], dates: Mapping[str, Dates],
            today: str) -> tuple[str, list[Cause], list[Cause]]:
    """(state, causes in effect, causes still ahead) of the relations that end or suspend `key`."""
    for rel, state in _ENDING:
        causes = [_cause(e, dates) for e in edges if e.target == key and e.rel == rel]
        now = [c for c in causes if not c.on or c.on <= today or not c.effective]
        if now or causes:
            return state, sorted(now, key=lambda c: c.on or ""), [c for c in causes if c not in now]
    return "", [], []


def _expiry(statements: Sequence[Statement], today: str) -> str | None:
    days = sorted(s.expires_on for s in statements if s.source == ANNOUNCEMENT and s.expires_on)
    return next((day for day in days if day <= today), None)


def infer(key: str, effective_on: str | None, edges: Sequence[Edge], today: str,
          dates: Mapping[str, Dates] | None = None, statements: Sequence[Statement] = ()) -> Reading:
    """govmon's own reading of `key` on `today` from the relations pointing at it and the dates announced."""
    dates = dates or {}
    announced = [s.effective_on for s in statements if s.source == ANNOUNCEMENT and s.effective_on]
    effective_on = announced[0] if announced else effective_on
    state, now, ahead = _ending(key, edges, dates, today)
    expired = _expiry(statements, today)
    amends = sorted((_cause(e, dates) for e in edges if e.target == key and e.rel == "amends"),
                    key=lambda c: c.on or "")
    coming = state if ahead and not now else ""
    if now:
        return Reading(state, ANNOUNCEMENT, now[0].on, tuple(now + ahead + amends), effective_on=effective_on,
                       coming=coming)
    if expired:
        return Reading("expired", ANNOUNCEMENT, expired, tuple(ahead + amends), effective_on=effective_on,
                       expires_on=expired)
    if effective_on and effective_on > today:
        return Reading("not_yet", ANNOUNCEMENT, effective_on, tuple(ahead + amends), effective_on=effective_on,
                       coming=coming)
    current = [c for c in amends if not c.effective or not c.on or c.on <= today]
    state = "amended" if current else "in_force"
    return Reading(state, ANNOUNCEMENT, current[-1].on if current else effective_on,
                   tuple(current + ahead + [c for c in amends if c not in current]), effective_on=effective_on,
                   coming=coming)


def stated_reading(statement: Statement, today: str) -> Reading:
    """vbpl.vn's statement as of `today`: a stated expiry that has come is an expiry, a stated effective
    date still ahead is "not yet", one that has come is "in force"."""
    state = statement.state or "unknown"
    if statement.expires_on and statement.expires_on <= today and state not in ENDED:
        state = "expired"
    elif statement.effective_on and statement.effective_on > today:
        state = "not_yet"
    elif state == "not_yet" and statement.effective_on:
        state = "in_force"
    since = statement.expires_on if state in ENDED else statement.effective_on
    rel = _STATED_REL.get(state, "amends" if statement.by else "")
    causes = tuple(Cause(doc, rel, evidence=statement.evidence) for doc in statement.by)
    return Reading(state, VBPL, since, causes, statement.stated, statement.effective_on, statement.expires_on,
                   statement.url, statement.checked_at)


def _disagreement(stated: Reading, inferred: Reading) -> str:
    """How the announcements' reading differs from vbpl.vn's, or ""."""
    notes = []
    differ = _CLASS.get(stated.state, stated.state) != _CLASS.get(inferred.state, inferred.state)
    if differ and stated.state != "unknown":
        by = ", ".join(c.document for c in inferred.causes if c.rel != "amends")
        notes.append(f"announcements: {STATUS_EN[inferred.state]}{' by ' + by if by else ''}; "
                     f"vbpl.vn: {stated.stated or STATUS_EN[stated.state]}")
    if stated.effective_on and inferred.effective_on and stated.effective_on != inferred.effective_on:
        notes.append(f"effective date: announcements {inferred.effective_on}, vbpl.vn {stated.effective_on}")
    return "; ".join(notes)


def status_of(key: str, effective_on: str | None, edges: Sequence[Edge], today: str, *,
              dates: Mapping[str, Dates] | None = None, statements: Sequence[Statement] = ()) -> Status:
    """The status of the document `key` on `today` (ISO date): vbpl.vn's latest statement among `statements`
    (latest first) when there is one, else govmon's inference; `dates` of the documents acting on it."""
    inferred = infer(key, effective_on, edges, today, dates, statements)
    vbpl = next((s for s in statements if s.source == VBPL), None)
    if vbpl is None:
        return Status(inferred.state, list(inferred.causes), INFERRED, inferred.since, None, inferred, "",
                      inferred.coming)
    stated = stated_reading(vbpl, today)
    causes, disagreement = _merged(stated.causes, inferred.causes), _disagreement(stated, inferred)
    coming = inferred.coming if stated.state not in ENDED else ""
    if stated.state == "in_force" and inferred.state == "amended":  # in force, and amended since, as announced
        return Status("amended", causes, BOTH, inferred.since, stated, inferred, disagreement, coming)
    return Status(stated.state, causes, VBPL, stated.since, stated, inferred, disagreement, coming)


def _cid(key: str) -> str:
    return key.split("@")[0]


def _merged(stated: Sequence[Cause], inferred: Sequence[Cause]) -> list[Cause]:
    """vbpl.vn's causes, each with the dates and evidence the announcements gave it (and their more precise
    relation where vbpl.vn only says "ends"), then the causes only announcements name."""
    known = {_cid(c.document): c for c in inferred}
    out = [c if _cid(c.document) not in known else _precise(c, known[_cid(c.document)]) for c in stated]
    named = {_cid(c.document) for c in out}
    return out + [c for c in inferred if _cid(c.document) not in named]


def _precise(stated: Cause, announced: Cause) -> Cause:
    """vbpl.vn's cause with the announcement's dates and evidence, and its relation where vbpl.vn says only "ends"."""
    return replace(announced, rel=announced.rel if stated.rel == "ends" else stated.rel)


def _cause_record(cause: Cause, name: Any) -> dict[str, Any]:
    return {"document": name(cause.document), "key": cause.document, "rel": cause.rel, "on": cause.on,
            "on_is": ("effective" if cause.effective else "issued") if cause.on else None, "evidence": cause.evidence}


def _reading_record(reading: Reading | None, name: Any) -> dict[str, Any] | None:
    if reading is None:
        return None
    return {"state": reading.state, "label": STATUS_VI[reading.state], "source": reading.source,
            "since": reading.since, "stated": reading.stated, "effective_on": reading.effective_on,
            "expires_on": reading.expires_on, "url": reading.url, "checked_at": reading.checked_at,
            "by": [_cause_record(c, name) for c in reading.causes]}


def status_record(status: Status, name: Any = str) -> dict[str, Any]:
    """The status as `docs show --json` and the web's API give it; `name` turns a registry key into the id
    users write (``71/NQ-CP@2025`` → ``71/NQ-CP``)."""
    return {"state": status.state, "label": status.label, "label_en": STATUS_EN[status.state], "since": status.since,
            "basis": status.basis, "by": [name(k) for k in status.by],
            "causes": [_cause_record(c, name) for c in status.causes], "coming": status.coming,
            "stated": _reading_record(status.stated, name), "inferred": _reading_record(status.inferred, name),
            "disagreement": status.disagreement}


def _statement(row: DocumentStatus) -> Statement:
    return Statement(row.source, row.state, row.stated, row.effective_on, row.expires_on, tuple(row.by), row.evidence,
                     row.url, local_iso(row.checked_at))


def status_for(session: Session, result: DocumentReport, day: str | None = None) -> tuple[Status, list[DocumentStatus]]:
    """The status of a report's document on `day` (today in Vietnam by default), and every statement stored
    of it (latest checked first): two queries, its statements and the documents acting on it."""
    document = result.document
    rows = statuses_of(session, [document.id or 0])[document.id or 0]
    acting = documents_by_keys(session, {e.source for e in result.edges if e.target == document.key})
    dates = {key: Dates(d.issued_on, d.effective_on) for key, d in acting.items()}
    status = status_of(document.key, document.effective_on, result.edges, day or today(), dates=dates,
                       statements=[_statement(r) for r in rows])
    return status, rows


def statement_record(row: DocumentStatus) -> dict[str, Any]:
    """One stored statement: who says it (`source`), what (state as govmon words it, `stated` as the source
    does, the dates, the documents), with its evidence and page, first and last stated."""
    return {"source": row.source, "state": row.state, "stated": row.stated, "effective_on": row.effective_on,
            "expires_on": row.expires_on, "by": list(row.by), "evidence": row.evidence, "url": row.url,
            "seen_at": local_iso(row.seen_at), "checked_at": local_iso(row.checked_at)}
