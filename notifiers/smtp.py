"""E-mail over SMTP with the failure handling an outbox needs (Apprise's mailto:// reports only "failed").

``smtp://USER:PASSWORD@HOST:PORT?to=a@x.vn,b@x.vn&from=govmon@x.vn`` (STARTTLS when the server offers it;
``&tls=no`` for a local relay), ``smtps://…`` for implicit TLS (port 465). Put the password in the
environment: ``smtp://bot:${SMTP_PASSWORD}@smtp.example.org:587?to=…``.

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
from urllib.parse import parse_qs, unquote, urlsplit

from govmon.notifiers._text import clean_lines, clean_title
from govmon.notifiers.base import Message, PermanentError, TransientError
from govmon.notifiers.registry import register

__all__ = ["SmtpNotifier", "build_email"]


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
                 implicit_tls: bool = False, starttls: bool = True, timeout: float = 30.0) -> None:
        self.host, self.port, self.user, self._password = host, port, user, password
        self.sender, self.recipients = sender, recipients
        self.implicit_tls, self.starttls, self.timeout = implicit_tls, starttls, timeout
        self.name = f"smtp:{host}:{port}"

    @classmethod
    def from_url(cls, url: str) -> SmtpNotifier:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        recipients = [r for value in query.get("to", []) for r in value.split(",") if r]
        if not parts.hostname or not recipients:
            raise ValueError("smtp URL needs a host and ?to=address")
        secure = parts.scheme.lower() == "smtps"
        sender = query.get("from", [f"govmon@{parts.hostname}"])[0]
        return cls(parts.hostname, parts.port or (465 if secure else 587), unquote(parts.username or ""),
                   unquote(parts.password or ""), sender, recipients, implicit_tls=secure,
                   starttls=query.get("tls", ["yes"])[0] != "no")

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        client.ehlo()
        if self.starttls and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        return client

    def send(self, message: Message) -> None:
        email = build_email(message, self.sender, self.recipients)
        try:
            with self._connect() as client:
                if self.user:
                    client.login(self.user, self._password)
                client.send_message(email)
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentError(f"{self.name}: login refused ({exc.smtp_code})") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = PermanentError if all(code >= 500 for code in codes) else TransientError
            raise error(f"{self.name}: recipients refused {sorted(set(codes))}") from exc
        except smtplib.SMTPResponseException as exc:
            error = PermanentError if exc.smtp_code >= 500 else TransientError
            raise error(f"{self.name}: SMTP {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"{self.name}: {type(exc).__name__}") from exc


register("smtps")(SmtpNotifier)
