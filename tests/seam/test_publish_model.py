"""The draft model behind the publish dialog (``bot.services.drafts``), without Telegram: the fixes an
admin can make, where a task can be split, when Send needs "send anyway", how a paste in several
messages is joined, what counts as a link or a bulletin's start, and the stored JSON round-trips.
(Pure tests, kept beside the publish seam tests they support.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.domain.parser import parse_bulletin, parse_document
from bot.domain.records import Task
from bot.ingest import load
from bot.services import drafts as model
from bot.services.drafts import Concern, DraftState, EditError
from tests.conftest import DATA, bulletin_text


def state(*texts: str, stated: int | None = None, confidence: float = 0.9) -> DraftState:
    tasks = tuple(Task(n, t, f"{n}.") for n, t in enumerate(texts, start=1))
    return DraftState("Tiêu đề", "2021-10", None, "", "", tasks, "arabic", confidence, stated)


def texts(s: DraftState) -> list[str]:
    return [t.text for t in s.tasks]


def test_merge_split_replace_drop_renumber_and_say_what_changed() -> None:
    s = state("Một.", "Hai.", "Ba.")
    merged = model.merge_with_next(s, 0)
    assert texts(merged) == ["Một.\nHai.", "Ba."] and [t.number for t in merged.tasks] == [1, 2]
    assert merged.change == ("merged", "1", "2") and merged.edited and merged.tasks[0].enumerator == "1."
    split = model.split_task(merged, 0, merged.tasks[0].text.index("Hai"))
    assert texts(split) == ["Một.", "Hai.", "Ba."] and split.tasks[1].enumerator == ""
    replaced = model.replace_task(split, 2, "  Ba\r\n\r\n  mới.  ")
    assert texts(replaced)[2] == "Ba\nmới." and replaced.change == ("replaced", "3")
    dropped = model.drop_task(replaced, 1)
    assert texts(dropped) == ["Một.", "Ba\nmới."] and [t.number for t in dropped.tasks] == [1, 2]
    assert model.set_title(dropped, "  Tiêu   đề\nmới ").title == "Tiêu đề mới"
    assert model.set_month(dropped, "2021-11").month == "2021-11"


@pytest.mark.parametrize(
    "fix",
    [
        lambda s: model.merge_with_next(s, 1),  # the last task has no next one
        lambda s: model.drop_task(model.drop_task(s, 0), 0),  # the only task stays
        lambda s: model.replace_task(s, 0, " \n "),
        lambda s: model.split_task(s, 0, 0),
        lambda s: model.merge_with_next(s, 5),
        lambda s: model.set_title(s, "   "),
    ],
)
def test_a_fix_that_does_not_apply_is_refused(fix: Callable[[DraftState], DraftState]) -> None:
    with pytest.raises(EditError):
        fix(state("Một.", "Hai."))


@pytest.mark.parametrize(
    ("typed", "month"),
    [
        ("10/2021", "2021-10"),
        ("tháng 10/2021", "2021-10"),
        ("Tháng 9 năm 2023", "2023-09"),
        ("T11-2024", "2024-11"),
        ("2021-10", "2021-10"),
        ("1.2020", "2020-01"),
        ("13/2021", None),
        ("tháng mười", None),
        ("10/21", None),
    ],
)
def test_the_month_an_admin_types(typed: str, month: str | None) -> None:
    assert model.read_month(typed) == month


def test_split_points_are_paragraphs_then_sentences_never_after_an_item_number() -> None:
    text = "Tuyên truyền việc này. Trọng tâm là:\n1. Kết quả đại hội.\n2. Những điểm mới của nhiệm kỳ."
    points = model.split_points(text)
    assert [(p.kind, p.words) for p in points] == [
        ("sentence", "Trọng tâm là: 1."),
        ("paragraph", "1. Kết quả đại"),
        ("paragraph", "2. Những điểm mới"),
    ]
    assert model.split_points("Một câu duy nhất không có chỗ tách") == []
    long = " ".join(f"Câu thứ {n} đủ dài." for n in range(20))
    assert len(model.split_points(long)) == model.MAX_SPLIT_POINTS


def test_send_needs_a_second_look_when_the_draft_looks_incomplete() -> None:
    assert model.check(state("Một.", "Hai.")) is None
    count = model.check(state("Một.", "Hai.", stated=3))
    assert count is not None and (count.concern, count.stated, count.found) == (Concern.COUNT, 3, 2)
    cut = model.check(state("Một.", "Hai đang dở"))
    assert cut is not None and (cut.concern, cut.task) == (Concern.UNFINISHED, 2)
    lead = model.check(state("Gồm các ý sau:", "Hai."))
    assert lead is not None and (lead.concern, lead.task) == (Concern.UNFINISHED, 1)
    assert model.check(state("Một ý không dấu chấm", "Hai.")) is None  # list items often have none
    low = model.check(state("Một.", "Hai.", confidence=0.45))
    assert low is not None and low.concern is Concern.LOW_CONFIDENCE
    # Once the admin fixed the split, their review stands in for the parser's doubt.
    assert model.check(model.replace_task(state("Một.", "Hai.", confidence=0.45), 0, "Một.")) is None


def test_a_paste_in_several_messages_joins_where_telegram_cut() -> None:
    assert model.join_parts(["Câu thứ nhất.", "Thứ hai, câu sau."]) == "Câu thứ nhất.\nThứ hai, câu sau."
    assert model.join_parts(["giữa một câu", "vẫn tiếp tục."]) == "giữa một câu vẫn tiếp tục."
    assert model.join_parts(["  ", "Một.", ""]) == "Một."


def test_the_october_sample_cut_in_two_parses_as_the_whole() -> None:
    text = bulletin_text("seed-2021-10-haiphong.txt").strip()
    at = text.rfind(" ", 0, 4096)
    joined = model.join_parts([text[:at], text[at:]])
    assert [t.text for t in parse_bulletin(joined).tasks] == [t.text for t in parse_bulletin(text).tasks]


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://tuyengiao.vn/hoi-nghi-bao-cao-vien-thang-10", True),
        ("  http://127.0.0.1:8080/bai-viet?id=3  ", True),
        ("xem https://tuyengiao.vn", False),
        ("https://a.vn https://b.vn", False),
        ("ftp://tuyengiao.vn/x", False),
    ],
)
def test_a_message_that_is_just_a_link(text: str, url: bool) -> None:
    assert model.is_url(text) is url


def test_a_bulletins_first_message_is_told_from_a_question() -> None:
    head = bulletin_text("seed-2021-10-haiphong.txt")[:1200]
    assert model.looks_like_bulletin_start(head)
    assert model.looks_like_bulletin_start("x " * 1200)  # nobody asks a 2,400-character question
    assert not model.looks_like_bulletin_start("nhiệm vụ thứ ba của hội nghị báo cáo viên tháng 11/2021")
    assert not model.looks_like_bulletin_start("Cho tôi hỏi\nvề hội nghị\nbáo cáo viên tháng 10")


@pytest.mark.parametrize(
    "path",
    [
        DATA / "seed-2021-10-haiphong.txt",
        DATA / "documents" / "notice-fam-roman-sections.docx",
        DATA / "documents" / "case02-windows-1258.txt",
    ],
)
def test_a_document_and_a_state_survive_the_database(path: Path) -> None:
    document = load(path.read_bytes(), filename=path.name)
    again = model.document_from_json(model.document_to_json(document))
    assert again == document and parse_document(again) == parse_document(document)
    fixed = model.merge_with_next(model.from_bulletin(parse_document(document), document), 0)
    assert model.state_from_json(model.state_to_json(fixed)) == fixed
    assert model.to_bulletin(fixed).tasks == fixed.tasks


def test_a_layout_survives_the_database() -> None:
    layout = model.Layout(
        messages=(model.Shown(10, "header"), model.Shown(11, "task", 0, True, "abc"), model.Shown(12, "confirm")),
    ).with_prompt(model.Prompt(13, "title", 4))
    again = model.layout_from_json(model.layout_to_json(layout))
    assert again == layout and again.find(11) == model.Shown(11, "task", 0, True, "abc")
    assert again.prompt(13) == model.Prompt(13, "title", 4) and again.find(99) is None
    assert model.layout_from_json(None) == model.Layout()
