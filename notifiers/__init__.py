"""govmon notifiers: one small class per channel behind one interface, selected by name.

The outer ring of govmon: it imports nothing from crawler/, storage/ or monitor/.
The monitor renders each event into a `Message` and calls `build(target).send(message)`;
a failed send raises `TransientError` (retry later) or `PermanentError` (dead-letter).
A program calls `protect_logs(urls)` once it knows its channel URLs: from then on no log
record, of any logger, carries their passwords or tokens.
"""

from govmon.notifiers import console as _console  # noqa: F401  (registers "console")
from govmon.notifiers import smtp as _smtp  # noqa: F401  (registers "smtp")
from govmon.notifiers import zalo as _zalo  # noqa: F401  (registers "zalo")
from govmon.notifiers.base import (
    Message,
    Notifier,
    NotifierError,
    PermanentError,
    TransientError,
)
from govmon.notifiers.masking import protect_logs, secrets_of
from govmon.notifiers.registry import build, mask, register, schemes

__all__ = [
    "Message",
    "Notifier",
    "NotifierError",
    "TransientError",
    "PermanentError",
    "build",
    "register",
    "mask",
    "protect_logs",
    "secrets_of",
    "schemes",
]
