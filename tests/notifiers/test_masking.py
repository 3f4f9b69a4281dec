"""mask(): notifier URLs safe to log, with passwords, tokens and header values hidden."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmon.notifiers import mask

SECRET = "Zx9Qv7Lm2Kp4"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"mailto://user:{SECRET}@example.org", "mailto://user:****@example.org/"),
        (f"mailto://user:{SECRET}@example.org?to=a@example.org", "mailto://user:****@example.org/a%40example.org"),
        (
            f"mailtos://user:{SECRET}@smtp.example.org:587?to=a@example.org&from=b@example.org&mode=starttls",
            "mailtos://user:****@smtp.example.org/a%40example.org",
        ),
        (f"json://user:{SECRET}@hooks.example.org/notify", "json://user:****@hooks.example.org/notify"),
        (f"json://hooks.example.org/notify?+Authorization=Bearer%20{SECRET}", "json://hooks.example.org/notify"),
        (f"jsons://hooks.example.org:8443/n?+X-Api-Key={SECRET}&:extra={SECRET}", "jsons://hooks.example.org:8443/n"),
        (f"form://hooks.example.org/n?+Authorization=Basic%20{SECRET}", "form://hooks.example.org/n"),
    ],
)
def test_passwords_and_header_values_are_hidden(url: str, expected: str) -> None:
    assert mask(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        f"mailto://user:{SECRET}@example.org?to=a@example.org",
        f"mailto://example.org?user=user&pass={SECRET}&to=a@example.org",
        f"tgram://123456789:{SECRET}/-1001234567",
        f"tgram://bot123456789:{SECRET}/-1001234567",
        f"discord://1234567890/{SECRET}",
        f"https://discord.com/api/webhooks/1234567890/{SECRET}",
        f"slack://T1JJ3T3L2/A1BRTD4JD/{SECRET}/#general",
        f"https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/{SECRET}",
        f"slack://xoxb-1234-{SECRET}/#general",
        f"json://hooks.example.org/notify?+Authorization=Bearer%20{SECRET}",
        f"json://hooks.example.org/notify#{SECRET}",
    ],
)
def test_service_tokens_never_appear(url: str) -> None:
    masked = mask(url)

    assert SECRET not in masked
    assert masked.split("://")[0] in {"mailto", "tgram", "discord", "slack", "json"}


def test_telegram_keeps_the_chat_so_targets_stay_distinguishable() -> None:
    assert mask(f"tgram://123456789:{SECRET}/-1001234567").endswith("/-1001234567/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"unknownscheme://user:{SECRET}@host.example/path?token={SECRET}", "unknownscheme://user:****@host.example/****"),
        (f"unknownscheme://{SECRET}@host.example", "unknownscheme://****@host.example"),
        (f"matrixs://{SECRET}@matrix.example.org", "matrixs://****@matrix.example.org"),
        (f"https://{SECRET}@git.example.org/repo", "https://****@git.example.org/****"),
        (f"unknownscheme://{SECRET}", "unknownscheme://****"),
        (f"tgram://not-a-token-{SECRET}/chat", "tgram://****/****"),
        (f"mailto://user:{SECRET}@", "mailto://user:****@"),
    ],
)
def test_urls_apprise_cannot_parse_keep_only_scheme_user_and_host(url: str, expected: str) -> None:
    assert mask(url) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("console", "console"),
        ("  console  ", "console"),
        ("Console_2", "Console_2"),
        ("", "****"),
        (f"user:{SECRET}@host", "****"),
        (f"{SECRET} extra", "****"),
    ],
)
def test_names_without_a_scheme(name: str, expected: str) -> None:
    assert mask(name) == expected


# --- property: for any secret, the masked URL never contains it --------------

SECRETS = st.text(alphabet=string.ascii_letters + string.digits, min_size=10, max_size=40)
URL_TEMPLATES = [
    "mailto://user:{s}@mail.example.org?to=a@example.org",
    "mailtos://user:{s}@smtp.example.org:465?to=a@example.org&mode=ssl",
    "mailto://mail.example.org?user=user&pass={s}&to=a@example.org",
    "tgram://123456789:{s}/-1001234567",
    "json://user:{s}@hooks.example.org/notify",
    "json://hooks.example.org/notify?+Authorization=Bearer%20{s}",
    "form://hooks.example.org/notify?+X-Token={s}&:field={s}",
    "discord://1234567890/{s}",
    "https://discord.com/api/webhooks/1234567890/{s}",
    "slack://T1JJ3T3L2/A1BRTD4JD/{s}/#general",
    "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/{s}",
    "unknownscheme://user:{s}@host.example/{s}?k={s}#{s}",
    "unknownscheme://{s}@host.example",
    "matrixs://{s}@matrix.example.org",
    "user:{s}@host.example",
]


@settings(max_examples=100, deadline=None)
@given(secret=SECRETS, template=st.sampled_from(URL_TEMPLATES))
def test_masked_url_never_contains_the_secret(secret: str, template: str) -> None:
    assert secret not in mask(template.format(s=secret))
