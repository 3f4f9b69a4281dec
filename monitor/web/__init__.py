"""`govmon serve`: a read-only web view over the store (alerts, announcements and their versions, documents
and their relation graph, sources, search), Atom feeds and a JSON API, server-rendered, no JavaScript build."""
