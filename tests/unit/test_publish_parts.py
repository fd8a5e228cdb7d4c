"""The admin side's small parts: button data read back, the text after /publish, admin texts."""

from __future__ import annotations

from typing import Any

import pytest

from bot.texts import delivery as texts
from handlers.callbacks import Buttons, Press
from handlers.publish import DECISION, command_body

CONTROL = Buttons("bc", ("pause", "resume", "cancel"))


def test_button_data_round_trips() -> None:
    assert DECISION.data("send", 12) == "pub:send:12"
    assert DECISION.read("pub:send:12") == Press("send", 12)
    assert CONTROL.read(CONTROL.data("resume", 7)) == Press("resume", 7)
    assert DECISION.pattern.match("pub:anything")  # the family's handler answers even a stale one


@pytest.mark.parametrize(
    "data",
    [None, "", "pub", "pub:send", "pub:send:", "pub:send:x", "pub:send:-1", "pub:send:1:2", "pub:send:²",
     "pub:publish:1", "bc:send:1", "pubx:send:1", "pub:send:1234567890123"],
)  # fmt: skip
def test_button_data_that_is_not_exactly_a_button_is_refused(data: str | None) -> None:
    assert DECISION.read(data) is None


def test_a_button_family_builds_only_its_own_buttons() -> None:
    not_an_action: Any = "pause"  # Any: whatever the family's action type is, the call must refuse it
    with pytest.raises(ValueError):
        DECISION.data(not_an_action, 1)
    with pytest.raises(ValueError):
        Buttons("pub:x", ("send",))


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("/publish Hội nghị tháng 11", "Hội nghị tháng 11"),
        ("/publish\nHội nghị tháng 11\nThứ nhất", "Hội nghị tháng 11\nThứ nhất"),
        ("/publish@local_bulletin_bot\nHội nghị tháng 11", "Hội nghị tháng 11"),
        ("/publish@local_bulletin_bot Hội nghị tháng 11", "Hội nghị tháng 11"),
        ("/publish", ""),
        ("/publish@local_bulletin_bot", ""),
        ("/publish  \n  ", ""),
    ],
)
def test_the_bulletin_is_everything_after_the_command(text: str, body: str) -> None:
    assert command_body(text) == body


def test_english_counts_are_singular_for_one() -> None:
    assert "to 1 subscriber?" in texts.confirm_prompt("T", "2021-10", 1)
    assert "to 2 subscribers?" in texts.confirm_prompt("T", "2021-10", 2)
    assert "1 message to 1 subscriber." in texts.queued(3, 1, 1)
    assert "1 task, 1 message" in texts.preview_header("T", "2021-10", 1, 1, 1, [])


def test_the_confirm_prompt_names_the_bulletin() -> None:
    prompt = texts.confirm_prompt("Hội nghị <tháng 10>", "2021-10", 5)
    assert "Hội nghị &lt;tháng 10&gt;" in prompt and "tháng 10/2021" in prompt and "(10/2021)" in prompt


@pytest.mark.parametrize("status", ["queued", "running", "paused", "done", "cancelled", "aborted"])
@pytest.mark.parametrize("action", ["pause", "resume", "cancel"])
def test_control_refusals_name_the_state_and_the_action_in_both_languages(action: str, status: str) -> None:
    refusal = texts.control_refused(action, 4, status)
    vietnamese, english = refusal.split(" · ")
    assert "không thể" in vietnamese and action not in vietnamese  # no English verb in the Vietnamese
    assert english.startswith("Broadcast #4 is ") and "can't be" in english
    assert len(refusal) <= 200  # a callback answer's limit


def test_upload_refusals_give_the_reason_once_per_language() -> None:
    for problem in ("not_text_file", "too_large", "download_failed", "not_utf8"):
        vietnamese, english = texts.bad_file(problem).split("\n")
        assert "<i>" not in vietnamese and english.startswith("<i>Could not read the file: ")
        assert not any(word in english for word in ("tệp ", "chỉ ", "không "))
