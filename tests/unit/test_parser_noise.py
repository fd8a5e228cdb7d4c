"""Properties: page noise never lands in a task, whatever the family and wherever the noise sits.

Headers (site name, menus, date lines, widgets) before the title; captions and related-news blocks
between tasks; bylines, credit lines, related-news lists, hashtags, "Nơi nhận:" blocks, signatures and
site footers after the last task. Each generated bulletin must give back exactly its tasks.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.parser import parse_bulletin, parse_document

_PHRASES = (
    "tuyên truyền kết quả hội nghị cán bộ đảng viên nhân dân phát triển kinh tế xã hội văn hóa",
    "chuyển đổi số biển đảo phòng chống tham nhũng Việt Nam Trung ương quốc gia đẩy mạnh",
    "tiếp tục thực hiện nghiêm túc chủ động kịp thời định hướng Covid-19 điểm cầu 14-KL/TW (2021) 1.052",
)
WORDS = [word for phrase in _PHRASES for word in phrase.split()]

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
THU = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười"]
LA = ["Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười"]
KEYCAPS = ["1️⃣", "2⃣", "3️⃣", "4️⃣", "5⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"]

# family -> n -> the prefix as written
FAMILIES: dict[str, Callable[[int], str]] = {
    "thu": lambda n: f"Thứ {THU[n - 1]}, ",
    "thu-la": lambda n: f"Thứ {THU[n - 1]} là, ",
    "la": lambda n: f"{LA[n - 1]} là, ",
    "dot": lambda n: f"{n}. ",
    "paren-close": lambda n: f"{n}) ",
    "slash": lambda n: f"{n}/ ",
    "paren": lambda n: f"({n}) ",
    "roman": lambda n: f"{ROMAN[n - 1]}. ",
    "keyword": lambda n: f"Nội dung {n}: ",
    "keycaps": lambda n: f"{KEYCAPS[n - 1]} ",
    "letters": lambda n: f"{'abcdđeghik'[n - 1]}) ",
    "emoji": lambda n: "🔹 ",
    "dash": lambda n: "- ",
}

HEADERS = [
    "TRANG THÔNG TIN ĐIỆN TỬ BAN TUYÊN GIÁO TỈNH ỦY",
    "Trang chủ | Tin tức - Sự kiện | Định hướng tuyên truyền",
    "Trang chủ » Hoạt động tuyên giáo",
    "Thứ Bảy, 23/11/2024",
    "A- A A+ | In bài | Gửi email",
    "Lượt xem: 6783",
    "Chia sẻ: Facebook Zalo",
    "Tìm kiếm...",
]
CAPTIONS = [
    ["Quang cảnh hội nghị tại điểm cầu tỉnh Hà Giang.", "Ảnh: Minh Quyết"],
    ["Đồng chí Phó Trưởng ban phát biểu kết luận hội nghị. Ảnh: Thu Trang"],
    ["Các đại biểu dự hội nghị tại điểm cầu tỉnh.", "Các đại biểu dự hội nghị tại điểm cầu tỉnh."],
]
RELATED = [
    "Tin liên quan",
    "» Hội nghị báo cáo viên tháng 4/2022: Thứ nhất là tuyên truyền (15/04/2022)",
    "» 1. Định hướng tuyên truyền tháng 3/2022 (10/03/2022)",
]
ENDINGS = [
    ["Thu Hoài"],
    ["Tin, ảnh: NGUYỄN DUY HIỂN"],
    ["Hội nghị cũng đã nghe báo cáo chuyên đề về tình hình kinh tế trong nước."],
    ["Dịp này, Ban Tuyên giáo trao giấy khen cho các báo cáo viên xuất sắc."],
    ["#tuyengiao #baocaovien #hoinghi"],
    ["Nơi nhận:", "- Thường trực Tỉnh ủy;", "- Lưu VP."],
    ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"],
    ["Các tin khác:", "- Hội nghị báo cáo viên tháng 4/2022 (20/04/2022)", "- Định hướng tuyên truyền tháng 3"],
    ["Từ khóa: báo cáo viên, tuyên truyền miệng"],
    ["Địa chỉ: Số 1 đường Trần Phú", "Điện thoại: 0200.3000.000", "Email: bbt@example.gov.vn"],
    ["© Bản quyền thuộc Ban Tuyên giáo Tỉnh ủy", "Ghi rõ nguồn khi phát hành lại thông tin từ website này."],
    ["Chia sẻ bài viết lên facebook"],
]

sentence = st.lists(st.sampled_from(WORDS), min_size=6, max_size=25).map(lambda ws: " ".join(ws) + ".")
paragraph = sentence.map(lambda s: "Đồng thời " + s)


@st.composite
def bulletins(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """(document text, expected task texts, noise lines that must not appear in any task)."""
    family = draw(st.sampled_from(sorted(FAMILIES)))
    n = draw(st.integers(min_value=3, max_value=10))
    bulleted = family in {"emoji", "dash"}
    tasks: list[tuple[str, list[str]]] = []
    for _ in range(n):
        first = draw(sentence)
        more = [] if bulleted else draw(st.lists(paragraph, max_size=2))
        tasks.append((first, more))
    header = draw(st.lists(st.sampled_from(HEADERS), max_size=4, unique=True))
    between = {i: draw(st.sampled_from([*CAPTIONS, RELATED])) for i in draw(st.sets(st.integers(1, n - 1), max_size=2))}
    ending = draw(st.lists(st.sampled_from(ENDINGS), min_size=1, max_size=4, unique_by=lambda e: e[0]))
    lines = [
        *header,
        "Hội nghị Báo cáo viên Trung ương tháng 5/2022: định hướng tuyên truyền trọng tâm",
        "Cập nhật lúc: 12/05/2022 09:30",
        "Sáng 10/5, Ban Tuyên giáo Trung ương tổ chức Hội nghị Báo cáo viên Trung ương tháng 5/2022 theo hình "
        "thức trực tuyến tới các điểm cầu trong cả nước.",
        f"Đồng chí Phó Trưởng ban đề nghị tập trung tuyên truyền {n} nội dung sau:",
    ]
    for i, (first, more) in enumerate(tasks, start=1):
        lines.append(FAMILIES[family](i) + first)
        lines += more
        lines += between.get(i, [])
    for block in ending:
        lines += block
    noise = [*header, *(line for block in between.values() for line in block), *(x for e in ending for x in e)]
    expected = ["\n".join([first, *more]) for first, more in tasks]
    return "\n".join(lines), expected, noise


def check(text: str, expected: list[str], noise: list[str]) -> None:
    bulletin = parse_bulletin(text)
    got = [t.text for t in bulletin.tasks]
    assert got == expected
    for task in got:
        for line in noise:
            assert line not in task.split("\n")
    assert bulletin.month == "2022-05"
    assert bulletin.published == "2022-05-12"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(bulletins())
def test_noise_never_lands_in_a_task(case: tuple[str, list[str], list[str]]) -> None:
    text, expected, noise = case
    lines = [line for task in expected for line in task.split("\n")]
    assume(len(set(lines)) == len(lines))  # a line printed twice is a caption by design
    check(text, expected, noise)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(bulletins(), st.sampled_from(["html", "docx", "pdf"]))
def test_noise_never_lands_in_a_task_of_a_document(case: tuple[str, list[str], list[str]], fmt: str) -> None:
    """The same through parse_document, with page furniture repeated on every 'page' for PDF."""
    text, expected, noise = case
    lines = [line for task in expected for line in task.split("\n")]
    assume(len(set(lines)) == len(lines))  # a line printed twice is a caption by design
    blocks: list[Block] = []
    for i, line in enumerate(text.split("\n")):
        if fmt == "pdf" and i and i % 7 == 0:
            blocks.append(Block("Trang thông tin điện tử Ban Tuyên giáo", kind=BlockKind.FURNITURE))
            blocks.append(Block(str(i // 7), kind=BlockKind.FURNITURE))
        blocks.append(Block(line))
    bulletin = parse_document(Document(tuple(blocks), fmt))
    assert [t.text for t in bulletin.tasks] == expected
    for task in bulletin.tasks:
        assert "Trang thông tin điện tử Ban Tuyên giáo" not in task.text
        for line in noise:
            assert line not in task.text.split("\n")
