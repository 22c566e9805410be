"""Corrections made in the packet's Word file itself: tracked changes (taken as accepted) and comments.

The Word writer leaves a hidden bookmark around each target-language segment and around the citations, notes
and formatting inside it (see `translate.anchors`). Reading the file back, each segment's text is rebuilt into
segment markup from what lies between its bookmarks; an untouched segment is recognised by the fingerprint of
its visible text, kept in its bookmark's name."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from lxml import etree

from toolkit.errors import BriefkitError
from toolkit.model import normalize_space
from toolkit.review.merge import Correction, ReviewFile
from toolkit.review.package import (
    CHANGES,
    WordComment,
    is_deleted,
    open_word_file,
    w,
    word_comments,
)
from toolkit.review.rows import PacketReview
from toolkit.review.table import _last_modified_by
from toolkit.translate.anchors import (
    OBJECT,
    SegmentAnchor,
    parse_outside_anchor,
    parse_slot_anchor,
    seen_fingerprint,
    segment_key,
)
from toolkit.translate.memory import EditorNote
from toolkit.translate.segments import Segment

PARTS = ("word/document.xml", "word/footnotes.xml")
PUNCTUATION = set(".,;:!?")


@dataclass
class _Found:
    """What lies inside one segment's bookmark, in order: ("text", s), ("object", OBJECT), ("open", n),
    ("close", n)."""

    anchor: SegmentAnchor
    items: list[tuple[str, str | int]] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)  # (date, author) of tracked changes inside
    comments: list[str] = field(default_factory=list)  # comment ids anchored inside

    def visible(self) -> str:
        """The text a reader sees, a note number as OBJECT (digits glued to one are its mark, not text)."""
        parts: list[str] = []
        for kind, value in self.items:
            if kind == "text" and parts and parts[-1] == OBJECT:
                parts.append(str(value).lstrip("0123456789"))
            elif kind in ("text", "object"):
                parts.append(str(value))
        return normalize_space("".join(parts))


class _Reader:
    """Walks a part in document order, keeping which bookmarks are open."""

    def __init__(self) -> None:
        self.found: dict[str, _Found] = {}  # by segment key
        self.outside_insertions: list[str] = []
        self.outside_comments: list[str] = []
        self.copies: list[str] = []  # keys of segments whose bookmark comes again (a copied paragraph)

    def read(self, root: etree._Element) -> None:
        """A segment runs from its bookmark's start to the end of the paragraph its bookmark ends in: LibreOffice
        saves a bookmark's end one character early, and in our files nothing follows a segment in its
        paragraph."""
        open_segments: dict[str, str] = {}  # bookmark id -> segment key
        ending: set[str] = set()  # segments whose bookmark ended in the current paragraph
        open_slots: dict[str, tuple[str, int]] = {}  # bookmark id -> (segment key, slot)
        mark_run: etree._Element | None = None  # the run holding a custom note mark, whose text is not content
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag
            if event == "end":
                if tag == w("p") and ending:
                    for ident in [i for i, key in open_segments.items() if key in ending]:
                        del open_segments[ident]
                    ending.clear()
                continue
            current = self.found.get(next(reversed(open_segments.values()))) if open_segments else None
            if tag == w("bookmarkStart"):
                name, ident = element.get(w("name"), ""), element.get(w("id"), "")
                anchor = SegmentAnchor.parse(name)
                slot = parse_slot_anchor(name)
                if anchor is not None and anchor.key in self.found and anchor.key not in open_segments.values():
                    self.copies.append(anchor.key)  # a segment pasted again: its first place is the segment
                elif anchor is not None:
                    open_segments[ident] = anchor.key
                    self.found.setdefault(anchor.key, _Found(anchor))
                elif slot is not None and slot[0] in self.found:
                    open_slots[ident] = slot
                    self.found[slot[0]].items.append(("open", slot[1]))
            elif tag == w("bookmarkEnd"):
                ident = element.get(w("id"), "")
                if ident in open_slots:
                    key, n = open_slots.pop(ident)
                    self.found[key].items.append(("close", n))
                if ident in open_segments:
                    ending.add(open_segments[ident])
            elif tag == w("footnoteReference") and not is_deleted(element):  # a deleted note is gone
                if element.get(w("customMarkFollows")) in ("1", "true", "on"):
                    # The mark's text: in the reference's own run (LibreOffice) or the run after it (Word).
                    run = element.getparent()
                    following = run.getnext() if run is not None else None
                    has_text = run is not None and run.find(w("t")) is not None
                    mark_run = run if has_text or following is None or following.tag != w("r") else following
                if current is not None:
                    current.items.append(("object", OBJECT))
            elif tag == w("drawing") and current is not None and not is_deleted(element):
                current.items.append(("object", OBJECT))
            elif tag == w("t") and not is_deleted(element):
                if mark_run is not None and element.getparent() is mark_run:
                    continue
                if current is not None:
                    current.items.append(("text", element.text or ""))
                elif any(a.tag == w("ins") for a in element.iterancestors()) and (element.text or "").strip():
                    self.outside_insertions.append(element.text or "")
            elif tag in (w("tab"), w("br"), w("cr")) and current is not None and not is_deleted(element):
                current.items.append(("text", " "))
            elif tag in CHANGES and current is not None:
                current.changes.append((element.get(w("date"), ""), element.get(w("author"), "")))
            elif tag in (w("commentRangeStart"), w("commentReference")):
                ident = element.get(w("id"), "")
                if current is not None:
                    if ident not in current.comments:
                        current.comments.append(ident)
                elif not any(ident in f.comments for f in self.found.values()):
                    self.outside_comments.append(ident)


def _markup(found: _Found, segment: Segment) -> tuple[str, list[str]]:
    """The segment markup rebuilt from what lies in its bookmark, and what was not kept (a note added by hand).

    A note number right after a slot's end belongs to that slot (LibreOffice ends bookmarks a character early),
    and digits glued to a note number are its mark (LibreOffice turns custom marks into text)."""
    out: list[str] = []
    lost: list[str] = []
    inside: int | None = None  # the protected slot being read
    content: list[str] = []
    after_slot = after_object = False
    paired = {n for n in segment.slots if segment.paired(n)}
    for kind, value in found.items:
        text = str(value)
        if after_object and kind == "text":
            text = text.lstrip("0123456789") if text[:1].isdigit() else text
        if kind == "open" and isinstance(value, int):
            if value in paired:
                out.append(f"<g{value}>")
            elif inside is None:
                inside, content = value, []
        elif kind == "close" and isinstance(value, int):
            if value in paired:
                out.append(f"</g{value}>")
            elif value == inside:
                out.extend(_slot(value, content))
                inside = None
                after_slot = True
                after_object = False
                continue
        elif inside is not None:
            content.append(text)
        elif kind == "text":
            out.append(escape(text, quote=False))
        elif not after_slot:
            lost.append("a note or picture added outside the existing ones")
        after_object = kind == "object"
        after_slot = after_slot and kind == "object"
    if inside is not None:
        out.extend(_slot(inside, content))
    return normalize_space("".join(out)), lost


def _slot(n: int, content: list[str]) -> list[str]:
    """A protected slot as markup: there if anything of it is left. A note style moves the punctuation that
    follows a citation in front of its note number ("Doe.¹"): that punctuation goes back after the slot."""
    text = "".join(content)
    if not text.strip():
        return []
    before_note = text.split(OBJECT, 1)[0] if OBJECT in text else ""
    moved = before_note[-1] if before_note[-1:] in PUNCTUATION else ""
    return [f"<x{n}/>", escape(moved, quote=False)]


def changed_outside(root: etree._Element) -> list[str]:
    """The text of each paragraph outside every segment that was changed with tracking off (tracked changes
    there are told of as they are read): an import cannot take it, and must not lose it silently."""
    found: list[str] = []
    for p in root.iter(w("p")):
        recorded = next(
            (seen for b in p.iter(w("bookmarkStart")) if (seen := parse_outside_anchor(b.get(w("name"), "")))), None
        )
        if recorded is None or any(True for _ in p.iter(*CHANGES)):
            continue
        text = normalize_space("".join(t.text or "" for t in p.iter(w("t")) if not is_deleted(t)))
        if seen_fingerprint(text) != recorded:
            found.append(text)
    return found


def read_packet_docx(path: Path, review: PacketReview) -> ReviewFile:
    """Corrections (tracked changes taken as accepted, or plain edits) and comments from the packet DOCX."""
    package = open_word_file(path, (*PARTS, "docProps/core.xml", "word/comments.xml", "word/commentsExtended.xml"))
    reader = _Reader()
    changed: list[str] = []
    for part in PARTS:
        root = package.xml(part)
        if root is not None:
            reader.read(root)
            changed.extend(changed_outside(root))
    if not reader.found:
        raise BriefkitError(
            "this Word file has no briefkit anchors (not a packet DOCX, or built by an older briefkit)",
            path,
            hint="rebuild the packet and review the new DOCX",
        )
    rows = {segment_key(row.item.id): row for row in review.rows}
    comments = word_comments(package)
    file_editor = _last_modified_by(package.xml("docProps/core.xml"))
    corrections: list[Correction] = []
    notes: list[EditorNote] = []
    warnings: list[str] = []
    rejected: list[tuple[str, str]] = []
    for key, found in reader.found.items():
        row = rows.get(key)
        if row is None:
            rejected.append(
                ("a segment", "the file has a segment this packet no longer has; rebuild and review the new DOCX")
            )
            continue
        for ident in found.comments:
            comment: WordComment | None = comments.get(ident)
            if comment is not None and comment.text:
                notes.append(
                    EditorNote(
                        row.item.id, "", comment.author, comment.date, comment.text, comment.resolved, "word-comment"
                    )
                )
        if found.anchor.seen and seen_fingerprint(found.visible()) == found.anchor.seen:
            continue  # untouched
        markup, lost = _markup(found, row.item.segment)
        warnings.extend(f"{row.item.id}: {what} was not kept" for what in lost)
        date, author = max(found.changes) if found.changes else ("", "")
        corrections.append(
            Correction(row.item.id, found.anchor.english, found.anchor.base, markup, "reviewed", True, author, date)
        )
    missing = [row.item.id for key, row in rows.items() if key not in reader.found and row.target]
    warnings.extend(f"segment {segment} is not in the file (was its paragraph deleted?)" for segment in missing)
    for key in reader.copies:
        copied = rows.get(key)
        warnings.append(
            f"segment {copied.item.id if copied else key} appears again further on (a copied paragraph?): "
            "only its first place was imported"
        )
    for text in changed:
        warnings.append(
            f"text changed outside any segment was not imported: “{text.strip()[:60]}” (only the translated "
            "text goes back; change the summary for the rest)"
        )
    for text in reader.outside_insertions:
        warnings.append(f"text added outside any segment was not imported: “{text.strip()[:60]}”")
    for ident in reader.outside_comments:
        comment = comments.get(ident)
        if comment is not None:
            warnings.append(f"a comment outside any segment was not imported: {comment.author}: “{comment.text[:60]}”")
    return ReviewFile("packet DOCX", review.packet.id, file_editor, corrections, notes, warnings, rejected)
