from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import BriefkitError
from toolkit.model import (
    Cite,
    CiteItem,
    Document,
    Edition,
    Emph,
    Heading,
    Inline,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Table,
    Text,
    is_safe_link,
    plain_text,
    query_blocks,
)
from toolkit.read.markdown import read_summary
from toolkit.read.packet import LAYOUTS, Layout
from toolkit.write.book import PacketBook
from toolkit.write.house_style import word_style
from toolkit.write.html_page import write_html
from toolkit.write.word import write_docx

HEAD = "---\ntitle: A title\nsource: src\n---\n"


def write(tmp_path: Path, body: str, head: str = HEAD) -> Path:
    path = tmp_path / "s.md"
    path.write_text(head + body, encoding="utf-8")
    return path


def test_pandoc_citation_forms_are_read(tmp_path: Path) -> None:
    doc = read_summary(write(tmp_path, "A [@a]. B [@a, p. 4]. C [see @b, 12-18; @c]. D @d says. E [-@e].\n"))
    cites = [n for n in doc.blocks[0].children if isinstance(n, Cite)]
    assert cites[0].items == (CiteItem("a"),)
    assert cites[1].items == (CiteItem("a", suffix=", p. 4"),)
    assert cites[2].items == (CiteItem("b", prefix="see", suffix=", 12-18"), CiteItem("c"))
    assert cites[3].in_text and cites[3].items[0].key == "d"
    assert cites[4].items[0].suppress_author
    assert all(c.line == 5 for c in cites)


def test_email_and_links_are_not_citations(tmp_path: Path) -> None:
    doc = read_summary(write(tmp_path, "Write to desk@example.org or see [the site](https://example.org).\n"))
    children = doc.blocks[0].children
    assert not any(isinstance(n, Cite) for n in children)
    assert Link("https://example.org", (Text("the site"),)) in children


def test_blocks_footnotes_and_tables(tmp_path: Path) -> None:
    body = (
        "## Head *em*\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "Text with a note.[^n]\n\n[^n]: The note cites [@x].\n"
    )
    doc = read_summary(write(tmp_path, body))
    kinds = [type(b) for b in doc.blocks]
    assert kinds == [Heading, ListBlock, ListBlock, Quote, Table, Paragraph]
    assert doc.blocks[0] == Heading(2, (Text("Head "), Emph((Text("em"),))))
    assert doc.blocks[2].ordered and len(doc.blocks[2].items) == 2
    assert doc.blocks[4].header == ((Text("a"),), (Text("b"),))
    (note,) = [node for node in doc.blocks[5].children if isinstance(node, Note)]
    assert isinstance(note.blocks[0].children[-2], Cite)  # type: ignore[union-attr]


def test_raw_html_is_dropped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    doc = read_summary(
        write(tmp_path, "Hello <script>alert(1)</script> <b>there</b>.\n\n<div>Kept <style>x</style></div>\n")
    )
    assert plain_text(doc.blocks[0].children) == "Hello  there."
    assert plain_text(doc.blocks[1].children) == "Kept"
    assert "raw HTML '<script>' dropped" in caplog.text and "s.md:5" in caplog.text and "s.md:7" in caplog.text


def test_formatting_that_straddles_a_dropped_script_stays_balanced(tmp_path: Path) -> None:
    doc = read_summary(write(tmp_path, "<b>x</b> <script>*a</script> b* and *c <style>x* y</style> d\n"))
    assert "a" not in plain_text(doc.blocks[0].children).split() and "y" not in plain_text(doc.blocks[0].children)
    assert "b" in plain_text(doc.blocks[0].children) and "d" in plain_text(doc.blocks[0].children)


def test_unsafe_link_targets_are_dropped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    doc = read_summary(write(tmp_path, "Click [here](javascript:alert(1)) or [there](ftp://x.org/f).\n"))
    assert not any(isinstance(n, Link) for n in doc.blocks[0].children)
    assert "ftp://x.org/f" in caplog.text


@pytest.mark.parametrize(
    ("head", "message"),
    [
        ("", "missing YAML front matter"),
        ("---\ntitle: T\n---\n", "front matter needs `source:`"),
        ("---\ntitle: [unclosed\nsource: s\n---\n", "malformed YAML"),
        ("---\ntitel: T\nsource: s\n---\n", "did you mean `title`"),
    ],
)
def test_bad_front_matter_names_file_and_line(tmp_path: Path, head: str, message: str) -> None:
    with pytest.raises(BriefkitError) as info:
        read_summary(write(tmp_path, "Body.\n", head=head))
    assert message in str(info.value)
    assert str(tmp_path / "s.md") in str(info.value)


def test_non_utf8_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(HEAD.encode() + b"caf\xe9\n")
    with pytest.raises(BriefkitError, match="not valid UTF-8"):
        read_summary(path)
    path.write_text("  \n")
    with pytest.raises(BriefkitError, match="empty"):
        read_summary(path)


SNIPPETS = [
    *"ab @[]^*_-;,.:#>|`\n()<>!0123456789",
    *["[@a]", "[see @b, p. 4]", "@a", "[^n]", "[^n]: note\n", "\n\n", "```", "~~~", "> ", "1. ", "* ", "**", "_"],
    *["<script>", "</script>", "<b>", "<!-- c -->", "<img src=x onerror=y>", "![i](x.png)", "![d](data:image/png,x)"],
    *["[l](javascript:x)", "[l](https://e.org)", "<javascript:y>", "| a | b |\n|---|---|\n| 1 | 2 |\n", "&amp;", "\\"],
]


def walk_inlines(doc: Document) -> list[Inline]:
    """Every inline of the document, nested ones too."""
    return query_blocks(lambda node: [node], doc.blocks)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


TANGLES = [
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<b>",
    "</b>",
    "*",
    "**",
    "_",
    "[",
    "](https://e.org)",
    "a",
    " ",
]


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(SNIPPETS), max_size=60).map("".join),
        st.lists(st.sampled_from(TANGLES), max_size=30).map("".join),  # HTML tangled with formatting
    )
)
def test_reader_fuzz_never_crashes_and_lets_nothing_unsafe_through(fuzz_dir: Path, body: str) -> None:
    """Any mix of Markdown, citations, notes, HTML, images and links: a Document or a BriefkitError, never a
    crash; and whatever is read holds no unsafe link and no HTML tag that the writers could render."""
    path = fuzz_dir / "f.md"
    path.write_text(HEAD + body, encoding="utf-8")
    try:
        doc = read_summary(path, inputs_root=path.parent)
    except BriefkitError as exc:
        assert str(path) in str(exc)
        return
    assert doc.meta.title == "A title"
    for node in walk_inlines(doc):
        assert not isinstance(node, Link) or is_safe_link(node.target)
    edition = Edition("en-US", (doc,), ())
    book = PacketBook("f", "T", "", "", "", "sequential", (edition,), "", dt.datetime(2025, 1, 1))
    html = write_html(book, "").text.lower()
    assert "<script" not in html and "<style></style>" in html and html.count("<style") == 1
    assert 'href="javascript' not in html and not re.search(r"<[a-z]+[^<>]*\son\w+=", html)  # no event handlers
    assert all(src.startswith("data:image/") for src in re.findall(r'<img src="([^"]*)"', html))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), max_size=60).map("".join), st.sampled_from(LAYOUTS))
def test_fuzzed_summaries_make_word_files_that_reopen(fuzz_dir: Path, body: str, layout: Layout) -> None:
    """Whatever reads also writes a DOCX that python-docx re-opens, whose every note reference has its note and
    whose every relationship id used in the body or the notes exists in that part's relationships."""
    path = fuzz_dir / "w.md"
    path.write_text(HEAD + body, encoding="utf-8")
    try:
        doc = read_summary(path, inputs_root=path.parent)
    except BriefkitError:
        return
    editions = tuple(Edition(lang, (doc,), ()) for lang in ("en-US", "es-ES"))
    book = PacketBook("f", "T", "", "", "", layout, editions, "", dt.datetime(2025, 1, 1))
    data = write_docx(book, word_style())
    docx.Document(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        parts = {name: package.read(name).decode("utf-8") for name in names if name.endswith((".xml", ".rels"))}
    body_xml, notes_xml = parts["word/document.xml"], parts.get("word/footnotes.xml", "")
    references = set(re.findall(r'<w:footnoteReference w:id="(\d+)"', body_xml))
    assert references <= set(re.findall(r'<w:footnote w:id="(\d+)"', notes_xml))
    for part, xml in (("document", body_xml), ("footnotes", notes_xml)):
        rels = parts.get(f"word/_rels/{part}.xml.rels", "")
        for used in set(re.findall(r'r:(?:id|embed)="([^"]+)"', xml)):
            assert f'Id="{used}"' in rels, f"{part}.xml uses {used} that its relationships lack"
