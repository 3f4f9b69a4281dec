"""Secrets stay out of logs, errors and tracebacks, at DEBUG, for our loggers and the libraries' (httpx, Apprise).

Each test works on a fresh, empty filter and restores the logging record factory afterwards, so nothing
registered here redacts another test's logs. The `unprotected` controls show the leaks are real: without
registered secrets the same sends put the token into the log.
"""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from apprise.plugins.telegram import NotifyTelegram
from hypothesis import given, settings
from hypothesis import strategies as st

from govmon.notifiers import Message, PermanentError, TransientError, build, masking
from govmon.notifiers.masking import HIDDEN, SecretFilter, protect_logs, secrets_of

ZALO_TOKEN = "3141592653:SECRETzaloTOKEN"
TELEGRAM_BAD = "123456789:SECRET.mistyped"  # a dot is not allowed in a bot token: Apprise warns, quoting it
TELEGRAM_TOKEN = "123456789:AAHsecretTELEGRAMtoken"
SMTP_WRONG = "Wrong-Secret-Pass-77"
ALERT = Message("new_document", "Nghị quyết 71/NQ-CP", "Nội dung", url="https://chinhphu.vn/a", key="event-1")


@pytest.fixture()
def fresh_filter(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretFilter]:
    """A new process-wide filter for this test; the record factory is restored afterwards."""
    factory = logging.getLogRecordFactory()
    monkeypatch.setattr(masking, "_FILTER", SecretFilter())
    try:
        yield masking._FILTER
    finally:
        logging.setLogRecordFactory(factory)


def _everything(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as a handler would write it, message, arguments and traceback included."""
    return caplog.text + "\n".join(f"{r.getMessage()} {r.args} {r.exc_text}" for r in caplog.records)


def _zalo(port: int) -> str:
    return f"zalo://{ZALO_TOKEN}@8765432101?base=http://127.0.0.1:{port}"


# --- httpx (Zalo) ---------------------------------------------------------------------------------


def test_unprotected_httpx_logs_the_zalo_token(
    chat_server: Any, caplog: pytest.LogCaptureFixture, fresh_filter: SecretFilter
) -> None:
    caplog.set_level(logging.DEBUG)
    build(_zalo(chat_server.port)).send(ALERT)

    assert ZALO_TOKEN in caplog.text  # the threat: httpx logs the request URL at INFO


def test_zalo_token_is_redacted_from_httpx_records(
    chat_server: Any, caplog: pytest.LogCaptureFixture, fresh_filter: SecretFilter
) -> None:
    protect_logs([_zalo(chat_server.port)])
    caplog.set_level(logging.DEBUG)
    build(_zalo(chat_server.port)).send(ALERT)

    logged = _everything(caplog)
    assert "SECRETzaloTOKEN" not in logged
    assert f"/bot3141592653:{HIDDEN}/sendMessage" in logged  # the httpx line is there, redacted
    assert chat_server.requests[0].path == f"/bot{ZALO_TOKEN}/sendMessage"  # the wire still has it


def test_zalo_errors_never_carry_the_token(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def refuse(url: str, **kwargs: Any) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {url}", request=httpx.Request("POST", url))

    monkeypatch.setattr(httpx, "post", refuse)
    with pytest.raises(TransientError) as caught:
        build(_zalo(1)).send(ALERT)
    logging.getLogger("govmon.test").warning("delivery failed", exc_info=caught.value)

    shown = "".join(traceback.format_exception(caught.value))
    assert "SECRETzaloTOKEN" not in shown and "SECRETzaloTOKEN" not in caplog.text
    assert "ConnectError: cannot connect to" in str(caught.value) and HIDDEN in str(caught.value)


# --- Apprise (Telegram) ---------------------------------------------------------------------------


def test_unprotected_apprise_warns_with_a_mistyped_telegram_token(
    caplog: pytest.LogCaptureFixture, fresh_filter: SecretFilter
) -> None:
    caplog.set_level(logging.WARNING)
    with pytest.raises(ValueError):
        build(f"tgram://{TELEGRAM_BAD}/-1001234567")

    assert TELEGRAM_BAD in caplog.text  # the threat: at the default verbosity


def test_mistyped_telegram_token_is_redacted_everywhere(
    caplog: pytest.LogCaptureFixture, fresh_filter: SecretFilter
) -> None:
    url = f"tgram://{TELEGRAM_BAD}/-1001234567"
    protect_logs([url])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValueError) as caught:
        build(url)

    assert "SECRET.mistyped" not in _everything(caplog) + str(caught.value)
    assert any("Telegram Bot Token" in r.getMessage() and HIDDEN in r.getMessage() for r in caplog.records)


def test_telegram_send_at_debug_logs_no_token(
    chat_server: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_filter: SecretFilter
) -> None:
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"{chat_server.base}/bot")
    url = f"tgram://{TELEGRAM_TOKEN}/-1001234567"
    protect_logs([url])
    caplog.set_level(logging.DEBUG)
    build(url).send(ALERT)

    logged = _everything(caplog)
    assert "AAHsecretTELEGRAMtoken" not in logged
    assert "Telegram POST URL" in logged  # Apprise's DEBUG line with the URL was there, redacted
    assert len(chat_server.requests) == 1


# --- SMTP -----------------------------------------------------------------------------------------


def test_smtp_login_failure_leaks_the_password_nowhere(
    smtp_server: Any, caplog: pytest.LogCaptureFixture, fresh_filter: SecretFilter
) -> None:
    url = f"smtp://govmon:{SMTP_WRONG}@127.0.0.1:{smtp_server.port}?to=desk@example.org&tls=no"
    protect_logs([url])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PermanentError) as caught:
        build(url).send(ALERT)
    logging.getLogger("govmon.test").error("delivery failed: %s", caught.value, exc_info=caught.value)

    assert "login refused (535)" in str(caught.value)
    assert SMTP_WRONG not in _everything(caplog) + "".join(traceback.format_exception(caught.value))
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# --- the filter itself ----------------------------------------------------------------------------


def test_arguments_exceptions_and_later_handlers_are_redacted(fresh_filter: SecretFilter) -> None:
    protect_logs(["json://user:Pa%2Fss%20Secret-55@hooks.example.org/x?+Authorization=Bearer%20tok-Secret-92"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # created after protect_logs: covered too
    logger = logging.getLogger("govmon.test.later")
    logger.addHandler(handler)
    try:
        logger.warning("pw=%s header=%r", "Pa/ss Secret-55", {"Authorization": "Bearer tok-Secret-92"})
        try:
            raise RuntimeError("failed with https://user:Pa%2Fss%20Secret-55@x/?t=tok-Secret-92")
        except RuntimeError:
            logger.exception("boom %s", "tok-Secret-92")
    finally:
        logger.removeHandler(handler)

    text = stream.getvalue()
    assert "Secret" not in text
    assert text.count(HIDDEN) >= 5 and "RuntimeError: failed with https://user:" in text


def test_protect_logs_installs_once_and_accumulates(fresh_filter: SecretFilter) -> None:
    protect_logs(["zalo://FIRST-secret-token@1"])
    factory = logging.getLogRecordFactory()
    protect_logs(["zalo://SECOND-secret-token@2"])

    assert logging.getLogRecordFactory() is factory
    record = logging.getLogger("x").makeRecord("x", logging.INFO, "f", 1, "%s %s",
                                               ("FIRST-secret-token", "SECOND-secret-token"), None)
    assert record.getMessage() == f"{HIDDEN} {HIDDEN}"


def test_a_message_whose_arguments_do_not_fit_is_withheld(fresh_filter: SecretFilter) -> None:
    protect_logs(["zalo://THIRD-secret-token@3"])
    record = logging.getLogger("x").makeRecord("x", logging.INFO, "f", 1, "%s %s", ("THIRD-secret-token",), None)

    assert "THIRD" not in record.getMessage() and "withheld" in record.getMessage()


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        (f"zalo://{ZALO_TOKEN}@8765432101", "SECRETzaloTOKEN"),
        (f"smtp://govmon:{SMTP_WRONG}@smtp.example.org:587?to=a@example.org", SMTP_WRONG),
        (f"tgram://{TELEGRAM_TOKEN}/-1001234567", TELEGRAM_TOKEN),
        (f"tgram://{TELEGRAM_BAD}/-1001234567", TELEGRAM_BAD),
        ("discord://1234567890/SECRETwebhookTOKEN", "SECRETwebhookTOKEN"),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general", "TIiajkdnlazkcOXrIdevi7FQ"),
        ("matrixs://SECRETmatrixTOKEN@matrix.example.org/#room", "SECRETmatrixTOKEN"),
        ("json://hooks.example.org/x?+Authorization=Bearer%20tok-Secret-92", "tok-Secret-92"),
        ("mailto://example.org?user=bot&pass=SECRETmailPW&to=a@example.org", "SECRETmailPW"),
    ],
)
def test_secrets_of_finds_each_service_secret(url: str, secret: str) -> None:
    assert secret in secrets_of(url)


def test_public_parts_are_not_secrets() -> None:
    found = secrets_of("smtp://govmon:pw-Secret-1@smtp.example.org:587?to=desk@example.org&from=bot@example.org")

    assert found == {"pw-Secret-1"}


@settings(max_examples=200, deadline=None)
@given(url=st.text(max_size=60) | st.builds("{}://{}".format, st.sampled_from(["tgram", "zalo", "smtp", "json", "x"]),
                                             st.text(alphabet="[]@:/?#&=%+ abc123", max_size=40)))
def test_secrets_of_never_fails(url: str) -> None:
    assert all(len(secret) >= 4 for secret in secrets_of(url))  # a malformed URL must not stop protect_logs
