"""The console channel: alerts printed as readable blocks (default, and for tests)."""

from __future__ import annotations

import sys
from typing import TextIO

from govmon.notifiers._text import clean_lines, clean_title
from govmon.notifiers.base import Message
from govmon.notifiers.registry import register

_STREAMS = {"": "stdout", "stdout": "stdout", "stderr": "stderr"}


@register("console")
class ConsoleNotifier:
    """Print each alert as a block: ``[kind] title``, indented body lines, one link per line.

    Use ``console`` (standard output) or ``console://stderr``.
    """

    name = "console"
    _target = "stdout"  # the sys attribute written to when no stream was given

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    @classmethod
    def from_url(cls, url: str) -> ConsoleNotifier:
        """Build from ``console``, ``console://``, ``console://stdout`` or ``console://stderr``."""
        target = url.partition("://")[2].strip("/").lower()
        if target not in _STREAMS:
            raise ValueError(f"console target must be stdout or stderr, not {target!r}")
        notifier = cls()
        notifier._target = _STREAMS[target]
        return notifier

    def send(self, message: Message) -> None:
        """Write the alert block and flush; terminal control characters are removed."""
        # looked up late (stdout and stderr alike) so redirection after build() is honoured
        stream = getattr(sys, self._target) if self._stream is None else self._stream
        stream.write(format_block(message))
        stream.flush()


def format_block(message: Message) -> str:
    """The text block for one alert, ending with a newline.

    >>> print(format_block(Message("new_document", "Luật\\r\\nsố 1", "Dòng 1", url="https://x.vn/1")), end="")
    [new_document] Luật số 1
      Dòng 1
      https://x.vn/1
    """
    body = [f"  {line}" if line else "" for line in clean_lines(message.body)]
    links = [f"  {clean_title(u, limit=2000)}" for u in message.links()]
    header = f"[{message.kind}] {clean_title(message.title)}"
    return "\n".join([header, *body, *links]) + "\n"
