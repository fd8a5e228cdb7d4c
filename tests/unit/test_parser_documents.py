"""parse_document: what a loader's blocks add over plain text (list labels, levels, bold and heading
lines, page furniture, the container's own title and date), and caps on hostile documents."""

from __future__ import annotations

import pytest

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.parser import parse_bulletin, parse_document
from bot.domain.records import BulletinParseError, ParseErrorCode
from tests import hostile_inputs as hostile

L, H, F = BlockKind.LIST_ITEM, BlockKind.HEADING, BlockKind.FURNITURE
TOPICS = [
    "Tuyên truyền kết quả kỳ họp thứ 18 Hội đồng nhân dân tỉnh.",
    "Tuyên truyền kỷ niệm 49 năm Ngày giải phóng miền Nam, thống nhất đất nước.",
    "Tuyên truyền công tác phòng, chống cháy rừng trong mùa khô.",
    "Tuyên truyền công tác chuẩn bị đại hội đảng bộ các cấp.",
]
HEAD = (
    Block("ĐẢNG BỘ TỈNH NGHỆ AN", bold=True),
    Block("Nghệ An, ngày 12 tháng 4 năm 2024"),
    Block("THÔNG BÁO KẾT QUẢ HỘI NGHỊ BÁO CÁO VIÊN THÁNG 4 NĂM 2024", kind=H, heading_level=1, bold=True),
    Block(
        "Ngày 10/4/2024, Ban Tuyên giáo Tỉnh ủy Nghệ An tổ chức Hội nghị báo cáo viên tháng 4/2024. "
        "Hội nghị đề nghị tập trung tuyên truyền 4 nội dung sau:"
    ),
)
TAIL = (
    Block("Nơi nhận:", bold=True),
    Block("Như trên;", kind=L, label="-", list_id="9"),
    Block("Lưu VT.", kind=L, label="-"),
)


def numbered(labels: list[str], **extra: object) -> tuple[Block, ...]:
    return tuple(Block(t, kind=L, label=lab, list_id="7", **extra) for t, lab in zip(TOPICS, labels, strict=True))  # type: ignore[arg-type]


def test_word_automatic_numbering_is_the_task_list() -> None:
    bulletin = parse_document(Document(HEAD + numbered(["1.", "2.", "3.", "4."]) + TAIL, "docx"))
    assert bulletin.method == "auto-numbered"
    assert [t.text for t in bulletin.tasks] == TOPICS
    assert [t.enumerator for t in bulletin.tasks] == ["1.", "2.", "3.", "4."]
    assert (bulletin.month, bulletin.published, bulletin.organizer) == (
        "2024-04",
        "2024-04-12",
        "Ban Tuyên giáo Tỉnh ủy Nghệ An",
    )
    assert bulletin.warnings == ()
    assert bulletin.confidence >= 0.95


def test_nested_list_levels_are_sub_points() -> None:
    items = list(numbered(["1.", "2.", "3.", "4."]))
    subs = [Block(f"ý phụ {ch};", kind=L, label=f"{ch})", list_id="7", level=1) for ch in "abcdđe"]
    blocks = (*HEAD, items[0], *subs, *items[1:], *TAIL)
    bulletin = parse_document(Document(blocks, "docx"))
    assert len(bulletin.tasks) == 4
    assert bulletin.tasks[0].text.split("\n")[1:] == [f"{ch}) ý phụ {ch};" for ch in "abcdđe"]


def test_labels_beat_a_text_run_of_the_same_length() -> None:
    text_run = tuple(Block(f"{n}. Kết quả số {n} của tháng trước.") for n in range(1, 5))
    bulletin = parse_document(Document(HEAD[:3] + text_run + HEAD[3:] + numbered(["1.", "2.", "3.", "4."]), "docx"))
    assert [t.text for t in bulletin.tasks] == TOPICS


def test_ol_letters_and_roman_labels() -> None:
    for labels in (["a)", "b)", "c)", "d)"], ["I.", "II.", "III.", "IV."], ["(1)", "(2)", "(3)", "(4)"]):
        bulletin = parse_document(Document(HEAD + numbered(labels), "html"))
        assert [t.enumerator for t in bulletin.tasks] == labels
        assert bulletin.method == "auto-numbered"


def test_bullet_items_of_a_list() -> None:
    bulletin = parse_document(Document(HEAD + numbered(["•"] * 4) + TAIL, "html"))
    assert bulletin.method == "auto-bullets"
    assert [t.text for t in bulletin.tasks] == TOPICS
    assert not any("bullets" in w for w in bulletin.warnings)


def test_bold_heading_lines_with_their_bodies() -> None:
    blocks = (
        Block("Hội nghị báo cáo viên Trung ương tháng 9/2022", kind=H, heading_level=1),
        Block(
            "(ĐCSVN) - Sáng 6/9, Ban Tuyên giáo Trung ương tổ chức Hội nghị báo cáo viên Trung ương tháng 9/2022 "
            "theo hình thức trực tuyến tới các điểm cầu trong cả nước, với hơn 1.000 đại biểu tham dự.",
            bold=True,
        ),
        Block("Tuyên truyền kết quả Hội nghị Trung ương 5", bold=True),
        Block("Tuyên truyền sâu rộng các nghị quyết của Hội nghị Trung ương 5 khóa XIII."),
        Block("Phòng, chống tham nhũng, tiêu cực", kind=H, heading_level=3),
        Block("Tuyên truyền kết quả các vụ án lớn đã được đưa ra xét xử."),
        Block("Ý kiến của các địa phương được tổng hợp, báo cáo Ban Bí thư."),
        Block("Kỷ niệm các ngày lễ lớn", bold=True),
        Block("Tuyên truyền kỷ niệm 77 năm Quốc khánh 2/9."),
        Block("Hồng Nhung", bold=True),
        Block("Tin liên quan", kind=H, heading_level=3),
        Block("Hội nghị báo cáo viên tháng 8/2022"),
    )
    bulletin = parse_document(Document(blocks, "html", published="2022-09-06T11:45:00+07:00"))
    assert bulletin.method == "headings"
    assert [t.text.split("\n")[0] for t in bulletin.tasks] == [
        "Tuyên truyền kết quả Hội nghị Trung ương 5",
        "Phòng, chống tham nhũng, tiêu cực",
        "Kỷ niệm các ngày lễ lớn",
    ]
    assert bulletin.tasks[1].text.count("\n") == 2
    assert bulletin.tasks[2].text.endswith("Quốc khánh 2/9.")
    assert bulletin.published == "2022-09-06"


def test_page_furniture_never_enters_a_task_and_a_task_runs_over_a_page_break() -> None:
    page_break = (Block("Ban Tuyên giáo Tỉnh ủy Nghệ An", kind=F, page=1), Block("1", kind=F, page=1))
    second = Block("và các chương trình phát triển kinh tế - xã hội năm 2024.", page=2)
    items = list(numbered(["1.", "2.", "3.", "4."]))
    blocks = (*HEAD, items[0], *page_break, second, *items[1:])
    bulletin = parse_document(Document(blocks, "pdf"))
    assert bulletin.tasks[0].text == f"{TOPICS[0]}\n{second.text}"
    assert all("Ban Tuyên giáo Tỉnh ủy Nghệ An" not in t.text.split("\n") for t in bulletin.tasks)


def test_the_containers_title_is_the_fallback() -> None:
    blocks = tuple(Block(t) for t in ["Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị báo cáo viên tháng 5/2024."]) + tuple(
        Block(f"{n}. {t}") for n, t in enumerate(TOPICS, start=1)
    )
    bulletin = parse_document(Document(blocks, "html", title="Hội nghị báo cáo viên tháng 5/2024"))
    assert bulletin.title == "Hội nghị báo cáo viên tháng 5/2024"
    assert bulletin.month == "2024-05"


def test_a_document_parses_like_its_text() -> None:
    text = "\n".join(b.text for b in HEAD) + "\n" + "\n".join(f"{n}. {t}" for n, t in enumerate(TOPICS, start=1))
    from_text = parse_bulletin(text)
    from_blocks = parse_document(Document(tuple(Block(line) for line in text.split("\n")), "text"))
    assert from_text.tasks == from_blocks.tasks
    assert (from_text.title, from_text.month, from_text.published) == (
        from_blocks.title,
        from_blocks.month,
        from_blocks.published,
    )


def test_block_text_is_normalised() -> None:
    blocks = HEAD + tuple(Block(f"  {t}\u00a0\u200b ", kind=L, label=f"{n}.") for n, t in enumerate(TOPICS, start=1))
    assert [t.text for t in parse_document(Document(blocks, "docx")).tasks] == TOPICS


# What each of tests/hostile_inputs.py's documents parses to (their cost: benchmarks/parse.py).
HOSTILE_OUTCOMES: dict[str, hostile.Outcome] = {
    "page furniture": ParseErrorCode.NOT_A_BULLETIN,
    "list items of one label": ParseErrorCode.ONE_TASK,
    "captions": ParseErrorCode.NOT_A_BULLETIN,
    "one huge block": ParseErrorCode.TOO_LARGE,
}


@pytest.mark.parametrize("name", sorted(hostile.DOCUMENTS))
def test_hostile_documents_get_their_answer(name: str) -> None:
    assert hostile.outcome(lambda: parse_document(hostile.DOCUMENTS[name](1.0))) == HOSTILE_OUTCOMES[name]


def test_oversized_and_empty_documents_are_refused() -> None:
    with pytest.raises(BulletinParseError) as info:
        parse_document(Document(tuple(Block("a") for _ in range(20_001))))
    assert info.value.code is ParseErrorCode.TOO_LARGE
    with pytest.raises(BulletinParseError) as info:
        parse_document(Document((Block(" "), Block("\u200b"))))
    assert info.value.code is ParseErrorCode.EMPTY
