"""`govmon serve`: the read-only web view, Atom feeds and JSON API over the store, with uvicorn. It binds
127.0.0.1 unless told otherwise; the API token comes from the configuration's [web] table or
$GOVMON_API_TOKEN, never from the command line (where other users of the machine could read it)."""
from __future__ import annotations

import os
from typing import Annotated

import typer

from govmon.monitor.cli.backend import open_store
from govmon.monitor.cli.common import err, load, out
from govmon.notifiers import protect_logs
from govmon.storage.db import describe_url

__all__ = ["serve", "serve_store", "TOKEN_ENV"]

TOKEN_ENV = "GOVMON_API_TOKEN"


def serve(host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080) -> None:
    """Serve the web view, Atom feeds and JSON API of the store (read-only) until Ctrl-C."""
    serve_store(None, host, port)


def serve_store(url: str | None, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the store at `url` (default: the configured one)."""
    import uvicorn  # the web stack loads only for this command: other commands start without it

    from govmon.monitor.web.app import create_app

    config = load()
    engine = open_store(url)
    token = os.environ.get(TOKEN_ENV) or config.api_token
    protect_logs().add([token] if token else [])
    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        err.print(f"[yellow]warning:[/] listening on {host} with no API token (set {TOKEN_ENV})", highlight=False)
    out.print(f"govmon serve: {describe_url(str(engine.url))} at http://{_shown(host)}:{port}/  (Ctrl-C stops it)",
              highlight=False, soft_wrap=True)
    uvicorn.run(create_app(engine, config, token), host=host, port=port, log_level="warning", server_header=False)


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
