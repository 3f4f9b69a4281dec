"""The pure work on one extracted article, apart from the store: its content hash (what decides a new
version), the documents it names (`monitor.analysis.documents.identify`) and its repost features
(`monitor.analysis.dedupe.features`). The ingestor computes it as it goes; an import computes it in worker processes
and hands it over with the item.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govmon.crawler.extract.fingerprint import content_hash
from govmon.monitor.analysis.dedupe import Features, features
from govmon.monitor.analysis.documents import Identified, identify

__all__ = ["Analysis", "analyse", "digest_of", "identified", "full_text"]


@dataclass(frozen=True)
class Analysis:
    """The pure work on one article — content hash, documents, repost features — which needs no store.
    A crawl computes it as it goes (an unchanged page needs only the hash); an import computes it in
    worker processes and hands it over with the item (`item["analysis"]`)."""

    digest: str
    found: Identified
    features: Features


def analyse(data: dict[str, Any]) -> Analysis:
    """The Analysis of an extracted article (`Article.to_json()`)."""
    return Analysis(digest_of(data), identified(data), features(full_text(data)))


def digest_of(data: dict[str, Any]) -> str:
    return content_hash(data["title"], data.get("lead", ""), data["text"])


def identified(data: dict[str, Any]) -> Identified:
    return identify(data["title"], data.get("lead", ""), data["text"], data.get("subject_text", ""))


def full_text(data: dict[str, Any]) -> str:
    return f"{data['title']}\n{data.get('lead', '')}\n{data['text']}"
