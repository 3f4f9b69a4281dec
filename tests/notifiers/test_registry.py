"""build(), register() and describe(): choosing a notifier by name or URL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from govmon.notifiers import Message, build, register
from govmon.notifiers import registry as registry_module
from govmon.notifiers.apprise_channel import AppriseNotifier
from govmon.notifiers.console import ConsoleNotifier
from govmon.notifiers.registry import describe


@pytest.fixture()
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let a test register schemes without leaving them behind."""
    monkeypatch.setattr(registry_module, "_REGISTRY", dict(registry_module._REGISTRY))
    yield


def test_console_by_name() -> None:
    assert isinstance(build("console"), ConsoleNotifier)


def test_console_stderr_by_url() -> None:
    notifier = build("console://stderr")

    assert isinstance(notifier, ConsoleNotifier)
    assert notifier.name == "console"


def test_other_schemes_go_to_apprise() -> None:
    notifier = build("json://127.0.0.1:1/x")

    assert isinstance(notifier, AppriseNotifier)
    assert notifier.name == "json://127.0.0.1:1/x"


def test_apprise_notifier_name_is_masked() -> None:
    notifier = build("json://user:Zx9Qv7Lm2Kp4@127.0.0.1:1/x?+Authorization=Bearer%20Zx9Qv7Lm2Kp4")

    assert notifier.name == "json://user:****@127.0.0.1:1/x"


def test_building_does_not_send(capsys: pytest.CaptureFixture[str], http_receiver: Any) -> None:
    build("console")
    build(http_receiver.url())

    assert capsys.readouterr() == ("", "")
    assert http_receiver.requests == []


@pytest.mark.parametrize("target", ["", "   ", "\n\t"])
def test_empty_target_is_a_value_error(target: str) -> None:
    with pytest.raises(ValueError, match="empty notifier target.*console"):
        build(target)


@pytest.mark.parametrize("target", ["nonsense", "consle", "email"])
def test_unknown_name_lists_the_choices(target: str) -> None:
    with pytest.raises(ValueError) as info:
        build(target)

    text = str(info.value)
    assert repr(target) in text
    assert "[console, smtp, smtps, zalo]" in text
    assert "mailto://" in text and "json://" in text


def test_unknown_name_error_does_not_echo_secrets() -> None:
    with pytest.raises(ValueError) as info:
        build("user:Zx9Qv7Lm2Kp4@smtp.example.org")

    assert "Zx9Qv7Lm2Kp4" not in str(info.value)


@pytest.mark.parametrize("target", ["://x", "://"])
def test_url_without_scheme_is_a_value_error(target: str) -> None:
    with pytest.raises(ValueError, match="unknown notifier"):
        build(target)


def test_unknown_scheme_is_a_value_error_naming_the_scheme() -> None:
    with pytest.raises(ValueError, match="Apprise URL") as info:
        build("unknownscheme://x")

    assert "unknownscheme://" in str(info.value)


def test_unknown_scheme_error_does_not_echo_secrets() -> None:
    with pytest.raises(ValueError) as info:
        build("unknownscheme://user:Zx9Qv7Lm2Kp4@host/Zx9Qv7Lm2Kp4")

    assert "Zx9Qv7Lm2Kp4" not in str(info.value)


def test_registering_a_taken_scheme_is_a_value_error(scratch_registry: None) -> None:
    for scheme in ("console", "CONSOLE"):
        with pytest.raises(ValueError, match="'console' is already registered"):

            @register(scheme)
            class Again(ConsoleNotifier):
                """Another console."""

    assert type(build("console")) is ConsoleNotifier  # the original registration survives


def test_registered_scheme_is_built_by_name_and_url(scratch_registry: None) -> None:
    seen: list[str] = []

    @register("Memo")
    class MemoNotifier:
        """Keep alerts in memory."""

        name = "memo"

        @classmethod
        def from_url(cls, url: str) -> MemoNotifier:
            seen.append(url)
            return cls()

        def send(self, message: Message) -> None:
            pass

    assert isinstance(build("memo"), MemoNotifier)
    assert isinstance(build("MEMO://anything"), MemoNotifier)
    assert seen == ["memo", "MEMO://anything"]
    assert describe()["memo"] == "Keep alerts in memory."


def test_describe_lists_console_with_its_docstring() -> None:
    described = describe()

    assert "console" in described
    assert described["console"].startswith("Print each alert as a block")
    assert "\n" not in described["console"]
    assert list(described) == sorted(described)
