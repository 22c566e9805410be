"""Edit DOCX files with real LibreOffice Writer, as an editor would: tracked changes and comments made by the
program itself, not hand-made XML.

    edit_docx(source, destination, [Replace("el informe", "la nota"), Comment("Senado", "¿Cámara?", "Ana Ruiz")],
              author="Ana Ruiz")

The project venv cannot import uno, so the UNO half is tests/office_uno.py, run under the system python
(/usr/bin/python3 with Debian's python3-uno). This half starts soffice with a fresh user installation and a
private pipe for each call and always ends it (its whole process group), whatever the UNO half does.

Every `find` is looked up in the document as opened, before any edit is made: occurrence numbers count the
source's text, and an edit's new text is never found by a later edit.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

SYSTEM_PYTHON = Path("/usr/bin/python3")
UNO_SCRIPT = Path(__file__).resolve().with_name("office_uno.py")
TIMEOUT = 120.0  # seconds for one edit_docx call: start, connect, edit, save


@dataclass(frozen=True)
class Replace:
    """Replace the n-th occurrence (0-based) of `find` in the body text, tables or notes with `text`."""

    find: str
    text: str
    occurrence: int = 0


@dataclass(frozen=True)
class Delete:
    """Delete the n-th occurrence (0-based) of `find`."""

    find: str
    occurrence: int = 0


@dataclass(frozen=True)
class Comment:
    """A comment (annotation) by `author` saying `text`, anchored on the n-th occurrence of `find`."""

    find: str
    text: str
    author: str
    occurrence: int = 0


@dataclass(frozen=True)
class InsertAfter:
    """Type `text` right after the n-th occurrence of `find`, in the same paragraph."""

    find: str
    text: str
    occurrence: int = 0


@dataclass(frozen=True)
class SetCell:
    """Replace the whole text of a cell of table `table` (0-based, as are row and column); its first paragraph stays."""

    table: int
    row: int
    column: int
    text: str


@dataclass(frozen=True)
class AppendToCell:
    """Add `text` at the end of a cell's text."""

    table: int
    row: int
    column: int
    text: str


Edit = Replace | Delete | Comment | InsertAfter | SetCell | AppendToCell

KINDS: dict[type, str] = {
    Replace: "replace",
    Delete: "delete",
    Comment: "comment",
    InsertAfter: "insert_after",
    SetCell: "set_cell",
    AppendToCell: "append_to_cell",
}


class OfficeError(RuntimeError):
    """LibreOffice could not make the edits; the message carries the UNO script's stderr."""


def soffice() -> str | None:
    return shutil.which("soffice") or next(
        (str(path) for path in [Path("/usr/lib/libreoffice/program/soffice")] if path.exists()), None
    )


@functools.cache
def office_available() -> str | None:
    """None when LibreOffice can be driven through UNO here, else the reason (for pytest.skip)."""
    if soffice() is None:
        return "soffice (LibreOffice) is not installed"
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} is missing (it runs the UNO script)"
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import uno; from com.sun.star.beans import PropertyValue"],
        capture_output=True,
        text=True,
        timeout=60,
        env=system_python_environment(),
    )
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno (python3-uno not installed?): {probe.stderr.strip()[-300:]}"
    return None


def system_python_environment() -> dict[str, str]:
    """The environment without the venv's python settings, which would confuse the system python."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }


def edit_docx(source: Path, destination: Path, edits: Sequence[Edit], author: str, track_changes: bool = True) -> None:
    """Open `source` in LibreOffice Writer (headless), record changes if asked, make the edits as `author`, save
    as Word 2007-365 .docx at `destination`. OfficeError (with the UNO script's stderr) when an edit cannot be made,
    e.g. a `find` that is not in the document."""
    program = soffice()
    if program is None:
        raise OfficeError("soffice (LibreOffice) is not installed")
    if not Path(source).is_file():
        raise FileNotFoundError(source)
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefkit-office-") as scratch:
        profile = Path(scratch) / "profile"
        pipe = f"briefkit_office_{os.getpid()}_{uuid.uuid4().hex}"
        request = {
            "pipe": pipe,
            "source": str(Path(source).resolve()),
            "destination": str(destination.resolve()),
            "author": author,
            "track_changes": track_changes,
            "timeout": TIMEOUT / 2,
            "edits": [{"kind": KINDS[type(edit)], **asdict(edit)} for edit in edits],
        }
        environment = {**system_python_environment(), "HOME": scratch, "SAL_USE_VCLPLUGIN": "svp"}
        office = subprocess.Popen(
            [
                program,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                "--nofirststartwizard",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
            start_new_session=True,  # its own process group: soffice is a script that starts soffice.bin
        )
        try:
            try:
                result = subprocess.run(
                    [str(SYSTEM_PYTHON), str(UNO_SCRIPT)],
                    input=json.dumps(request),
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT,
                    env=environment,
                )
            except subprocess.TimeoutExpired as timeout:
                raise OfficeError(f"LibreOffice did not finish the edits within {TIMEOUT:.0f} s: {timeout.stderr!r}")
            if result.returncode != 0:
                raise OfficeError(
                    f"LibreOffice could not edit {source} (exit status {result.returncode}):\n{result.stderr.strip()}"
                )
        finally:
            end(office)
    if not destination.is_file():
        raise OfficeError(f"LibreOffice reported success but wrote no {destination}")


def end(office: subprocess.Popen[bytes]) -> None:
    """Wait a little for the office to exit after its terminate, then end its process group: no leftover soffice."""
    deadline = time.monotonic() + 15
    while office.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(office.pid, sig)  # the group soffice leads (start_new_session), including soffice.bin
        except ProcessLookupError:
            break
        try:
            office.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
        # the leader is gone; a child may still hold the group for a moment
        time.sleep(0.2)
