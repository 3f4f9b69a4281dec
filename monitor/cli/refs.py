"""`govmon refs`: the legal documents a text refers to, as JSON (DOCNUMBERS.md Part B conventions).

Plain form: text on stdin → one object ``{"refs", "partial_refs", "relations"}``. Batch form (`--jsonl`):
lines ``{"id", "text"}`` → lines ``{"id", "refs", "partial_refs", "relations"}``; a bad line gets an
`error` field and the batch goes on.
"""
from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from govmon.crawler.extract.docrefs import extract as find_documents

__all__ = ["refs", "refs_json"]


def refs_json(text: str) -> dict[str, Any]:
    found, partial, relations = find_documents(text)
    return {"refs": [r.to_json() for r in found], "partial_refs": [p.to_json() for p in partial],
            "relations": [r.to_json() for r in relations]}


def _line(line: str) -> dict[str, Any]:
    try:
        request = json.loads(line)
        return {"id": request.get("id"), **refs_json(str(request["text"]))}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return {"id": None, "error": f"bad input line: {exc}"}


def refs(jsonl: Annotated[bool, typer.Option("--jsonl", help='Batch: {"id", "text"} lines on stdin.')] = False) -> None:
    """Document references, number-only mentions and relations in text read from stdin, as JSON."""
    if not jsonl:
        sys.stdout.write(json.dumps(refs_json(sys.stdin.read()), ensure_ascii=False, indent=2) + "\n")
        return
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(_line(line), ensure_ascii=False) + "\n")
