"""govmon notifiers: one small class per channel behind one interface, selected by name.

The outer ring of govmon: it imports nothing from crawler/, storage/ or monitor/.
The monitor renders each event into a `Message` and calls `build(target).send(message)`;
a failed send raises `TransientError` (retry later) or `PermanentError` (dead-letter).
"""

from govmon.notifiers import console as _console  # noqa: F401  (registers "console")
from govmon.notifiers import smtp as _smtp  # noqa: F401  (registers "smtp")
from govmon.notifiers import zalo as _zalo  # noqa: F401  (registers "zalo")
from govmon.notifiers.base import Message, Notifier, NotifierError, PermanentError, TransientError
from govmon.notifiers.registry import build, mask, register

__all__ = [
    "Message",
    "Notifier",
    "NotifierError",
    "TransientError",
    "PermanentError",
    "build",
    "register",
    "mask",
]
