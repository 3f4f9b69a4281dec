"""Scraped text reaches chat services inert: asserted on the payload that arrives at a loopback stand-in.

Each Apprise plugin is pointed at the local `chat_server` through its own endpoint attribute (Telegram's,
Discord's and Slack's API roots are class attributes; Matrix takes a host in its URL). Teams Workflows
only speaks https, so its payload is captured at `requests.post` instead.
"""

from __future__ import annotations

import json
from typing import Any

import apprise.plugins.workflows as workflows
import pytest
import requests
from apprise.plugins.discord import NotifyDiscord
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram

from govmon.notifiers import Message, build
from govmon.notifiers._markup import ZWJ

HOSTILE = Message(
    "new_document",
    title="Thông báo @everyone <!channel> **đậm** <b>x</b> [bấm](https://evil.example/login)",
    body="Kính gửi @here <@123456> <@&789> <!here> @room @nguoidung, liên hệ vanthu@chinhphu.vn\n"
         "<script>alert(1)</script> _nghiêng_ `mã` # tiêu đề\n> trích dẫn",
    url="https://chinhphu.vn/van-ban/a_b_c-12",
    key="event-9",
)
LINK = "https://chinhphu.vn/van-ban/a_b_c-12"
PINGS = ("@everyone", "@here", "<@123456>", "<@&789>", "@room", "@nguoidung")


def _no_pings(text: str) -> None:
    for ping in PINGS:
        assert ping not in text, ping
    assert f"@{ZWJ}everyone" in text or f"@{ZWJ}here" in text or f"@{ZWJ}room" in text


def test_telegram_gets_escaped_html_and_no_mentions(chat_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"{chat_server.base}/bot")
    build("tgram://123456789:AAHsecretTOKEN_x/-1001234567").send(HOSTILE)

    [request] = chat_server.requests
    payload = request.json()
    assert request.path == "/bot123456789:AAHsecretTOKEN_x/sendMessage"
    assert payload["parse_mode"] == "HTML"
    text = payload["text"]
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text
    assert "&amp;lt;" not in text  # escaped once, not twice
    assert "vanthu@chinhphu.vn" in text and LINK in text
    _no_pings(text)


def test_telegram_markdown_override_is_escaped_too(chat_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NotifyTelegram, "notify_url", f"{chat_server.base}/bot")
    build("tgram://123456789:AAHsecretTOKEN_x/-1001234567?format=markdown").send(HOSTILE)

    payload = chat_server.requests[0].json()
    assert payload["parse_mode"].lower() == "markdown"
    assert "**đậm**" not in payload["text"] and "[bấm](" not in payload["text"]
    _no_pings(payload["text"])


def test_discord_content_has_markdown_escaped_mentions_broken_links_whole(
    chat_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(NotifyDiscord, "notify_url", f"{chat_server.base}/api/webhooks")
    build("discord://1234567890/SECRETwebhookTOKEN").send(HOSTILE)

    [request] = chat_server.requests
    payload = request.json()
    assert request.path.startswith("/api/webhooks/1234567890/SECRETwebhookTOKEN")
    content = payload["content"]
    _no_pings(content)
    assert "allowed_mentions" not in payload and "allow_mentions" not in payload
    assert "**đậm**" not in content and r"\*\*đậm\*\*" in content
    assert "[bấm](" not in content and r"\[bấm\]" in content
    assert "`mã`" not in content and "\n> " not in content
    assert LINK in content  # the link itself is not escaped, so it stays clickable


def test_discord_embed_mode_escapes_and_detects_no_ping(chat_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NotifyDiscord, "notify_url", f"{chat_server.base}/api/webhooks")
    build("discord://1234567890/SECRETwebhookTOKEN?format=markdown").send(HOSTILE)

    payload = chat_server.requests[0].json()
    [embed] = payload["embeds"]
    assert "allow_mentions" not in payload  # Apprise found no @everyone to ping in the body
    _no_pings(embed["description"] + embed["title"])
    assert "[bấm](" not in embed["title"] and "**đậm**" not in embed["title"]


def test_slack_gets_entities_escaped_once_and_no_mentions(chat_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NotifySlack, "webhook_url", f"{chat_server.base}/services")
    chat_server.answers["/services/"] = b"ok"
    build("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/").send(HOSTILE)

    [request] = chat_server.requests
    [attachment] = request.json()["attachments"]
    text = attachment["title"] + "\n" + attachment["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<!here>" not in text and "<@123456>" not in text
    assert "&amp;lt;" not in text
    assert request.json()["mrkdwn"] is False
    _no_pings(text)


def test_matrix_plain_body_does_not_notify_the_room(chat_server: Any) -> None:
    chat_server.answers.update({
        "/account/whoami": b'{"user_id": "@govmon:example.org"}',
        "/join/": b'{"room_id": "!room:example.org"}',
        "/send/": b'{"event_id": "$1"}',
    })
    build(f"matrix://SECRETmatrixTOKEN@127.0.0.1:{chat_server.port}/!room:example.org").send(HOSTILE)

    [sent] = [r for r in chat_server.requests if r.method == "PUT" and "/send/m.room.message/" in r.path]
    payload = sent.json()
    assert payload["msgtype"] == "m.text" and "formatted_body" not in payload
    _no_pings(payload["body"])


def test_teams_workflow_title_is_escaped_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []

    def post(url: str, data: str = "", **kwargs: Any) -> requests.Response:
        sent.append(json.loads(data))
        response = requests.Response()
        response.status_code = 200
        return response

    monkeypatch.setattr(workflows.requests, "post", post)
    build("workflows://prod-01.example.logic.azure.com:443/workflowid/SECRETsignature").send(HOSTILE)

    blocks = {block.get("id"): block["text"] for block in sent[0]["attachments"][0]["content"]["body"]
              if block["type"] == "TextBlock"}
    assert "**đậm**" not in blocks["title"] and r"\*\*đậm\*\*" in blocks["title"]
    assert "[bấm](" not in blocks["title"] and "[bấm](" not in blocks["body"]
    _no_pings(blocks["title"] + blocks["body"])


def test_machine_readable_targets_get_the_text_unchanged(http_receiver: Any) -> None:
    build(http_receiver.url()).send(HOSTILE)

    payload = json.loads(http_receiver.requests[0].body)
    assert payload["title"] == HOSTILE.title  # json:// is read by a program, not rendered: nothing to escape
    assert "<script>alert(1)</script>" in payload["message"]
