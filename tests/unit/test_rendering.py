"""Message format: header with place and source, HTML escaping, splitting over 4096 characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.records import Bulletin, Task
from bot.domain.rendering import MESSAGE_LIMIT, html_to_plain, plain_length, render_bulletin, render_task


def bulletin(*texts: str) -> Bulletin:
    tasks = tuple(Task(i, t) for i, t in enumerate(texts, 1))
    return Bulletin("Tiêu đề", "2021-10", None, "Ban Tuyên giáo", "", tasks)


def test_header_names_place_and_source_and_text_is_escaped() -> None:
    [message] = render_task(bulletin('tuyên truyền <b>Nghị quyết</b> & "kết luận"'), Task(1, "a < b & c > d"))
    assert message.html.startswith("<b>📌 Nhiệm vụ 1/1 · Hội nghị Báo cáo viên tháng 10/2021</b>\n\n")
    assert "A &lt; b &amp; c &gt; d" in message.html
    assert html_to_plain(message.html).endswith("A < b & c > d")  # shown with a capital first letter


def _sentences(n: int) -> str:
    return " ".join(f"Câu số {i} nói về nhiệm vụ tuyên truyền." for i in range(n))


def test_long_task_splits_at_paragraph_breaks_first() -> None:
    first, second = _sentences(70), _sentences(60)  # about 2,800 and 2,400 characters
    messages = render_task(bulletin("x"), Task(1, f"{first}\n{second}"))
    bodies = [html_to_plain(m.html).split("\n\n", 1)[1] for m in messages]
    assert bodies == [first, second]


def test_long_paragraph_splits_at_sentence_ends_in_order() -> None:
    text = _sentences(250)  # about 10,000 characters in one paragraph
    messages = render_task(bulletin(text), Task(1, text))
    plains = [html_to_plain(m.html) for m in messages]
    assert len(plains) == 3
    assert [p.splitlines()[0] for p in plains] == [
        f"📌 Nhiệm vụ 1/1 (phần {i}/3) · Hội nghị Báo cáo viên tháng 10/2021" for i in (1, 2, 3)
    ]
    assert all(plain_length(p) <= MESSAGE_LIMIT for p in plains)
    bodies = [p.split("\n\n", 1)[1] for p in plains]
    assert " ".join(bodies).split() == text.split()  # nothing lost or reordered
    assert all(b.endswith("truyền.") for b in bodies)  # every cut is at a sentence end


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20000))
def test_any_task_fits_telegram_limits(text: str) -> None:
    if not text.strip():
        return
    for message in render_bulletin(bulletin(text)):
        plain = html_to_plain(message.html)
        assert plain_length(plain) <= MESSAGE_LIMIT
        assert len(message.html.encode()) <= 32768
