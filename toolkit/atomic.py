"""The one way briefkit writes files: complete first, beside the target, then renamed into place.

`write_atomic` does it for one file; `write_folder_atomic` for a packet's whole folder, so that its DOCX,
PDF, QA report and manifest change together or not at all.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import BriefkitError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_synced(handle: BinaryIO, data: bytes, path: Path) -> None:
    """Write, flush and sync; a write the system refuses (a full disk, a file-size limit, a read-only folder)
    is one clear error naming the file, raised after the partial file is removed by the caller."""
    try:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    except OSError as exc:
        raise BriefkitError(f"cannot write {path.name}: {exc.strerror}", path, hint="is the disk full?") from None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        raise BriefkitError(f"cannot write here: {exc.strerror}", path.parent) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes the file private; an output is for its readers
        with os.fdopen(fd, "wb") as handle:
            _write_synced(handle, data, path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def recover_folder(folder: Path) -> None:
    """Finish or undo an interrupted `write_folder_atomic`: the previous folder comes back if the new one never
    arrived; leftovers of unfinished writes are removed."""
    if not folder.parent.is_dir():
        return
    previous = sorted(folder.parent.glob(f".{folder.name}.previous-*"))
    if previous and not folder.exists():
        os.rename(previous.pop(), folder)
    for leftover in [*previous, *folder.parent.glob(f".{folder.name}.partial-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def write_folder_atomic(folder: Path, files: dict[str, bytes]) -> None:
    """Replace `folder` by one holding exactly `files` (name → bytes).

    The new folder is written and synced beside the old one, then swapped in with two renames; a crash between
    them leaves the old folder under a hidden name, which `recover_folder` (run first here) puts back."""
    recover_folder(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
    except OSError as exc:
        raise BriefkitError(f"cannot write here: {exc.strerror}", folder.parent) from None
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; outputs are for everyone who may read them
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                _write_synced(handle, data, folder / name)
        _fsync_dir(staging)
        previous = None
        if folder.exists():
            previous = folder.with_name(f".{folder.name}.previous-{uuid.uuid4().hex[:12]}")
            os.rename(folder, previous)
        os.rename(staging, folder)
        _fsync_dir(folder.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


LOCK_NAME = ".briefkit-release.lock"


@contextmanager
def folder_lock(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold the output folder for one release, or (`shared`) for one of any number of builds: a release beside
    another release or a build is refused at once, as a build beside a release is (a release's recovery of
    interrupted swaps would take the other's half-made folders away); builds only replace their own packet
    folders, so they run side by side. The lock is the kernel's (flock), so a killed one holds nothing; the
    empty file stays."""
    if shared and not (folder / LOCK_NAME).exists():
        # no release has used the folder (a release makes its lock file first): a build writes nothing here
        # but its packet folder, so that a failed build leaves the folder as it was
        yield
        return
    made = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise BriefkitError(f"cannot use the output folder: {exc.strerror}", folder) from None
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BriefkitError(
                "another release or build is writing to this output folder",
                folder,
                hint="wait for it to finish, or give another --out",
            ) from None
        yield
    finally:
        if made and [p.name for p in folder.iterdir()] == [LOCK_NAME]:  # a release that wrote nothing
            (folder / LOCK_NAME).unlink()
            folder.rmdir()
        os.close(fd)
