"""E-mail over SMTP with the failure handling an outbox needs (Apprise's mailto:// reports only "failed").

``smtp://USER:PASSWORD@HOST:PORT?to=a@x.vn,b@x.vn&from=govmon@x.vn`` (STARTTLS, port 587 by default),
``smtps://…`` for implicit TLS (port 465). Put the password in the environment:
``smtp://bot:${SMTP_PASSWORD}@smtp.example.org:587?to=…``.

TLS is required. Over ``smtp://`` a server that does not offer STARTTLS is refused before anything is
sent — no AUTH, no message — as a permanent failure: "server offers no STARTTLS; refusing to send
credentials in clear; add tls=no to opt out". The opt-out is explicit and per URL: ``&tls=no`` (for a
relay on the same machine or a trusted network) sends without TLS, credentials included. Certificates are
verified against the system's trust store (``ssl.create_default_context()``); an untrusted certificate
is a permanent failure too, since retrying cannot make it trusted.

Each alert is one message: a sanitised one-line subject (no header injection), a plain-text part and an
HTML part in which every scraped string is escaped, and a Message-ID made from the alert's key, so a
message re-sent after a crash is recognisably the same. SMTP answers map to the outbox's two failures:
4xx, timeouts and refused connections are transient (retry with back-off); 5xx and refused credentials are
permanent (dead-letter, shown by `govmon outbox list`).
"""
from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from govmon.notifiers._text import clean_lines, clean_title
from govmon.notifiers.base import Message, PermanentError, TransientError
from govmon.notifiers.registry import register

__all__ = ["SmtpNotifier", "build_email", "NO_STARTTLS"]

NO_STARTTLS = "server offers no STARTTLS; refusing to send {what} in clear; add tls=no to opt out"
_TLS_VALUES = {"yes": True, "no": False}


def build_email(message: Message, sender: str, recipients: list[str]) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = clean_title(message.title, limit=180)
    email["From"], email["To"] = sender, ", ".join(recipients)
    email["Message-ID"] = f"<{message.key}@govmon>" if message.key else make_msgid(domain="govmon")
    lines = [line for line in clean_lines(message.body)]
    links = list(message.links())
    email.set_content("\n".join([*lines, "", *links]).strip() + "\n")
    items = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    anchors = "".join(f'<p><a href="{html.escape(u, quote=True)}">{html.escape(u)}</a></p>' for u in links
                      if u.startswith(("http://", "https://")))
    email.add_alternative(f"<html><body><h3>{html.escape(clean_title(message.title))}</h3>{items}{anchors}</body></html>",
                          subtype="html")
    return email


@register("smtp")
class SmtpNotifier:
    """E-mail over SMTP: ``smtp://USER:PASSWORD@HOST:PORT?to=…&from=…`` (``smtps://`` for TLS on connect)."""

    def __init__(self, host: str, port: int, user: str, password: str, sender: str, recipients: list[str],
                 implicit_tls: bool = False, starttls: bool = True, timeout: float = 30.0,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.host, self.port, self.user, self._password = host, port, user, password
        self.sender, self.recipients = sender, recipients
        self.implicit_tls, self.starttls, self.timeout = implicit_tls, starttls, timeout
        self._context = tls_context or ssl.create_default_context()  # verifies certificate and host name
        self.name = f"smtp:{host}:{port}"

    @classmethod
    def from_url(cls, url: str) -> SmtpNotifier:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        recipients = [r for value in query.get("to", []) for r in value.split(",") if r]
        if not parts.hostname or not recipients:
            raise ValueError("smtp URL needs a host and ?to=address")
        secure, tls = parts.scheme.lower() == "smtps", _tls_option(query)
        if secure and not tls:
            raise ValueError("smtps:// is TLS from the first byte; tls=no contradicts it (use smtp://…&tls=no)")
        sender = query.get("from", [f"govmon@{parts.hostname}"])[0]
        return cls(parts.hostname, _port(parts) or (465 if secure else 587), unquote(parts.username or ""),
                   unquote(parts.password or ""), sender, recipients, implicit_tls=secure, starttls=tls)

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            self._secure(client)
        except BaseException:
            client.close()
            raise
        return client

    def _secure(self, client: smtplib.SMTP) -> None:
        """STARTTLS, unless the URL opted out; a server without it is refused before AUTH."""
        client.ehlo()
        if not self.starttls:
            return
        if not client.has_extn("starttls"):
            raise PermanentError(f"{self.name}: " + NO_STARTTLS.format(what="credentials" if self.user else "mail"))
        client.starttls(context=self._context)
        client.ehlo()

    def send(self, message: Message) -> None:
        """Deliver one e-mail; every failure is summarised (code or type), never chained to smtplib's."""
        email = build_email(message, self.sender, self.recipients)
        try:
            with self._connect() as client:
                if self.user:
                    client.login(self.user, self._password)
                client.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise _failure(self.name, exc) from None


def _port(parts: SplitResult) -> int | None:
    """The URL's port; urllib's error would quote what stands there (a misplaced password, say)."""
    try:
        return parts.port
    except ValueError:
        raise ValueError("smtp URL has an invalid port (expected smtp://USER:PASSWORD@HOST:PORT?to=…)") from None


def _tls_option(query: dict[str, list[str]]) -> bool:
    """``tls=yes`` (the default) or ``tls=no``, the explicit opt-out; anything else is a mistake."""
    value = query.get("tls", ["yes"])[0].strip().lower()
    if value not in _TLS_VALUES:
        raise ValueError(f"smtp ?tls= must be yes or no, not {value[:20]!r}")
    return _TLS_VALUES[value]


def _failure(name: str, exc: Exception) -> PermanentError | TransientError:
    """The outbox's view of an SMTP failure: 5xx, refused logins and untrusted certificates are permanent."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return PermanentError(f"{name}: login refused ({exc.smtp_code})")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        error = PermanentError if all(code >= 500 for code in codes) else TransientError
        return error(f"{name}: recipients refused {codes}")
    if isinstance(exc, smtplib.SMTPResponseException):
        error = PermanentError if exc.smtp_code >= 500 else TransientError
        return error(f"{name}: SMTP {exc.smtp_code}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentError(f"{name}: TLS certificate not trusted ({exc.verify_message})")
    return TransientError(f"{name}: {type(exc).__name__}")


register("smtps")(SmtpNotifier)
