"""The repository: the one place that builds queries. Callers pass an open session (one transaction per
ingested item or batch, see `govmon.storage.db.session_scope`) and get model objects back.

Writes hold when several processes share the store (the daemon, CLI commands beside it, workers on other
hosts): natural keys are unique constraints and rows are inserted once (`insert_once`, `insert_many`), an
article's history is appended under a row lock, new repost clusters take turns (`serialize`), and outbox
deliveries and crawls are claimed in the database before anyone acts on them.

Beside the ORM path, rows a transaction adds by the hundred go in bulk: new articles in one statement
(`add_articles`); versions, mentions, relations, search entries and cluster memberships queued with the
transaction and written by one executemany each (`append_version`, `add_mentions`, `queue_relation`,
`set_cluster`; `_queue`), before any statement that reads their tables and before the commit.
"""
from __future__ import annotations

from govmon.storage.repository._queue import memo, queued, write_queued
from govmon.storage.repository._rows import insert_many, insert_once, serialize
from govmon.storage.repository.articles import (
    add_article,
    add_articles,
    add_file,
    add_version,
    append_version,
    article_by_url,
    export_rows,
    files_of,
    known_pages,
    known_urls,
    latest_version,
    lock_article,
    version_next_to,
    versions_of,
)
from govmon.storage.repository.clusters import (
    cluster_members,
    clusters_since,
    new_cluster,
    set_cluster,
)
from govmon.storage.repository.documents import (
    add_document,
    add_mentions,
    add_relation,
    article_documents,
    articles_documents,
    documents_by_id,
    documents_by_ids,
    documents_by_number,
    find_documents,
    get_document,
    mention_counts,
    mentions_of,
    number_key,
    queue_relation,
    relations_of,
    relations_touching,
    set_mentions,
)
from govmon.storage.repository.outbox import (
    add_event,
    claim_deliveries,
    count_due,
    deliveries,
    due_channels,
    events,
    events_by_ids,
    retry_deliveries,
    settle_delivery,
)
from govmon.storage.repository.sources import (
    claim_source,
    ensure_source,
    finish_run,
    latest_runs,
    recent_runs,
    release_source,
    running_runs,
    source_by_name,
    sources,
    start_run,
)

__all__ = [
    "insert_once", "insert_many", "serialize", "memo", "queued", "write_queued",
    "add_article", "add_articles", "add_file", "add_version", "append_version", "article_by_url", "export_rows",
    "files_of", "known_pages", "known_urls", "latest_version", "lock_article", "version_next_to", "versions_of",
    "cluster_members", "clusters_since", "new_cluster", "set_cluster",
    "add_document", "add_mentions", "add_relation", "article_documents", "articles_documents", "documents_by_id",
    "documents_by_ids", "documents_by_number", "find_documents", "get_document", "mention_counts", "mentions_of",
    "number_key", "queue_relation", "relations_of", "relations_touching", "set_mentions",
    "add_event", "claim_deliveries", "count_due", "deliveries", "due_channels", "events", "events_by_ids",
    "retry_deliveries", "settle_delivery",
    "claim_source", "ensure_source", "finish_run", "latest_runs", "recent_runs", "release_source", "running_runs",
    "source_by_name", "sources", "start_run",
]
