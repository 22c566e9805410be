"""The half of the LibreOffice driver that talks UNO; tests/office.py runs it under the SYSTEM python (/usr/bin/python3,
which has Debian's python3-uno; the project venv cannot import uno).

    /usr/bin/python3 tests/office_uno.py < request.json

The request: {"pipe": name of the pipe soffice accepts on, "source": path, "destination": path, "author": str,
"track_changes": bool, "timeout": seconds to keep trying to connect, "edits": [{"kind": "replace", ...}, ...]}.
tests/office.py starts and always ends soffice; this script connects, sets the author in the user profile, opens
the source hidden, makes the edits, saves as Word 2007-365 .docx and asks the office to terminate.

Every `find` is looked up in the document as opened, before any edit is made, so occurrence numbers count the
source's text (a tracked deletion keeps its text in the document, where a later search would find it again).
Exit status 0 on success; 2 with one line "office_uno: ..." on stderr when an edit cannot be made (a `find` not
found, a table or cell that does not exist, a comment in a footnote, which Writer's Word export drops); anything else
is a traceback.

LibreOffice 7.4 quirks met here: a cursor made directly from a search result's range cannot take a ranged
annotation ("no SwTextAttr inserted?"), so each found range is rebuilt start-to-end; with changes recorded, a comment
also writes an empty tracked insertion (<w:ins> around a run with no text: the annotation's anchor) right before its
w:commentRangeEnd.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.lang import DisposedException
from com.sun.star.util import DateTime


class EditError(Exception):
    """An edit that cannot be made on this document."""


def prop(name: str, value: Any) -> Any:
    return PropertyValue(Name=name, Value=value)


def connect(pipe: str, timeout: float) -> Any:
    """The office's component context, retrying while soffice starts (a fresh profile takes a few seconds)."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def set_author(context: Any, author: str) -> None:
    """Tracked changes take their author from the user profile's name: given name and surname, joined by a space."""
    given, _, surname = author.rpartition(" ")
    if not given:
        given, surname = author, ""
    provider = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", context
    )
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess", (prop("nodepath", "/org.openoffice.UserProfile/Data"),)
    )
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", surname)
    access.commitChanges()


def searchable_texts(document: Any) -> list[Any]:
    """The document itself (its body text with its tables), then each footnote's and endnote's text."""
    texts = [document]
    for notes in (document.getFootnotes(), document.getEndnotes()):
        texts.extend(notes.getByIndex(index) for index in range(notes.getCount()))
    return texts


def find_ranges(document: Any, find: str) -> list[Any]:
    """Every occurrence of `find` (case-sensitive, literal) in the body, its tables and the notes, in that order."""
    ranges: list[Any] = []
    for text in searchable_texts(document):
        if not hasattr(text, "createSearchDescriptor"):
            ranges.extend(search_paragraphs(text, find))
            continue
        descriptor = text.createSearchDescriptor()
        descriptor.SearchString = find
        descriptor.SearchCaseSensitive = True
        descriptor.SearchRegularExpression = False
        found = text.findAll(descriptor)
        for index in range(found.getCount()):
            candidate = found.getByIndex(index)
            # the document's search also looks in the notes; those come from the notes' own turn below
            if text is document and candidate.getText().supportsService("com.sun.star.text.Footnote"):
                continue
            if not any(same_range(candidate, seen) for seen in ranges):
                ranges.append(candidate)
    return ranges


def same_range(one: Any, other: Any) -> bool:
    if one.getText() != other.getText():
        return False
    compare = one.getText()
    try:
        return bool(compare.compareRegionStarts(one, other) == 0 and compare.compareRegionEnds(one, other) == 0)
    except Exception:
        return False


def search_paragraphs(text: Any, find: str) -> list[Any]:
    """Occurrences of `find` in a text that is not searchable itself: paragraph by paragraph, selected by cursor."""
    ranges: list[Any] = []
    paragraphs = text.createEnumeration()
    while paragraphs.hasMoreElements():
        paragraph = paragraphs.nextElement()
        if not paragraph.supportsService("com.sun.star.text.Paragraph"):
            continue
        content = paragraph.getString()
        start = content.find(find)
        while start >= 0:
            cursor = text.createTextCursorByRange(paragraph.getStart())
            cursor.goRight(start, False)
            cursor.goRight(len(find), True)
            ranges.append(cursor)
            start = content.find(find, start + 1)
    return ranges


def occurrence(document: Any, find: str, number: int) -> Any:
    if not find:
        raise EditError("an edit's `find` is empty")
    ranges = find_ranges(document, find)
    if not ranges:
        raise EditError(f"{find!r} is not in the document (searched the body text, tables and notes)")
    if number >= len(ranges) or number < 0:
        raise EditError(f"{find!r} occurs {len(ranges)} time(s); occurrence {number} (0-based) does not exist")
    # a cursor of its own, which stays on the found text while other edits change the document. Built from the
    # start to the end: a cursor made from the search result's range itself (createTextCursorByRange(found)) makes
    # insertTextContent of an annotation fail with "no SwTextAttr inserted?" (LibreOffice 7.4)
    found = ranges[number]
    cursor = found.getText().createTextCursorByRange(found.getStart())
    cursor.gotoRange(found.getEnd(), True)
    return cursor


def cell(document: Any, table: int, row: int, column: int) -> Any:
    tables = document.getTextTables()
    if not 0 <= table < tables.getCount():
        raise EditError(f"table {table} does not exist (the document has {tables.getCount()} table(s))")
    found = tables.getByIndex(table)
    rows, columns = found.getRows().getCount(), found.getColumns().getCount()
    result = found.getCellByPosition(column, row) if 0 <= row < rows and 0 <= column < columns else None
    if result is None:
        raise EditError(f"table {table} has no cell at row {row}, column {column} ({rows} rows, {columns} columns)")
    return result


def now() -> Any:
    moment = datetime.now()
    return DateTime(
        NanoSeconds=moment.microsecond * 1000,
        Seconds=moment.second,
        Minutes=moment.minute,
        Hours=moment.hour,
        Day=moment.day,
        Month=moment.month,
        Year=moment.year,
        IsUTC=False,
    )


def resolve(document: Any, edit: dict[str, Any]) -> Any:
    """The range (or cell) an edit works on, looked up before any edit is made."""
    if edit["kind"] in ("set_cell", "append_to_cell"):
        return cell(document, edit["table"], edit["row"], edit["column"])
    return occurrence(document, edit["find"], edit.get("occurrence", 0))


def apply(document: Any, edit: dict[str, Any], target: Any) -> None:
    kind = edit["kind"]
    if kind == "replace":
        target.setString(edit["text"])
    elif kind == "delete":
        target.setString("")
    elif kind == "insert_after":
        target.getText().insertString(target.getEnd(), edit["text"], False)
    elif kind == "comment":
        if target.getText().supportsService("com.sun.star.text.Footnote"):
            # Writer keeps it, but its Word export drops comments in notes: fail rather than lose it silently
            raise EditError(f"{edit['find']!r}: LibreOffice 7.4 does not save a comment in a footnote to .docx")
        annotation = document.createInstance("com.sun.star.text.textfield.Annotation")
        annotation.Author = edit["author"]
        annotation.Content = edit["text"]
        annotation.DateTimeValue = now()
        initials = "".join(word[0] for word in edit["author"].split() if word)
        if initials:
            annotation.Initials = initials
        target.getText().insertTextContent(target, annotation, True)
    elif kind == "set_cell":
        cursor = target.createTextCursor()
        cursor.gotoStart(False)
        cursor.gotoEnd(True)
        cursor.setString(edit["text"])
    elif kind == "append_to_cell":
        target.insertString(target.getEnd(), edit["text"], False)
    else:
        raise EditError(f"unknown edit kind {kind!r}")


def run(request: dict[str, Any]) -> None:
    context = connect(request["pipe"], request.get("timeout", 60))
    set_author(context, request["author"])
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    try:
        source = uno.systemPathToFileUrl(str(Path(request["source"]).resolve()))
        document = desktop.loadComponentFromURL(source, "_blank", 0, (prop("Hidden", True),))
        if document is None:
            raise EditError(f"LibreOffice could not open {request['source']}")
        try:
            edits = request["edits"]
            targets = [resolve(document, edit) for edit in edits]
            document.RecordChanges = bool(request["track_changes"])
            for edit, target in zip(edits, targets, strict=True):
                apply(document, edit, target)
            destination = uno.systemPathToFileUrl(str(Path(request["destination"]).resolve()))
            document.storeToURL(destination, (prop("FilterName", "MS Word 2007 XML"), prop("Overwrite", True)))
        finally:
            document.close(True)
    finally:
        try:
            desktop.terminate()
        except DisposedException:
            pass  # the office went away before answering: that is the terminate


def main() -> int:
    request = json.load(sys.stdin)
    try:
        run(request)
    except EditError as error:
        print(f"office_uno: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
