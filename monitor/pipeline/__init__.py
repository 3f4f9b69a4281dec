"""The store-writing pipeline: crawl items into versions, documents, repost clusters and events
(`ingest`, with the live repost index in `clusters`), the document registry as users read it
(`registry`), and web archives in and out (`archive`)."""
