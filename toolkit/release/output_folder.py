"""The output folder is briefkit's: it replaces only packet folders it made, never one holding the inputs.

Each packet folder carries a marker file; a folder without it (or, from before the marker, without a manifest
naming the packet) is somebody else's and is never replaced. Ids that collide with briefkit's own files in
the output folder are refused when the packet is read (see `RESERVED_IDS` in read/packet.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.errors import BriefkitError
from toolkit.read.packet import Packet

MARKER = ".briefkit-output"
MARKER_TEXT = b"This folder was made by briefkit: a rebuild of its packet replaces it whole.\n"


def made_by_briefkit(folder: Path) -> bool:
    """The folder holds briefkit's marker, or is a packet folder of a release from before the marker (its
    manifest names the packet the folder is named after)."""
    if (folder / MARKER).is_file():
        return True
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("packet") == folder.name


def check_output_folder(out_dir: Path, packet: Packet) -> None:
    """Refuse, before anything is built, an output folder that holds the inputs, a packet folder that holds one
    of the packet's inputs, and a packet folder briefkit did not make."""
    out_dir = out_dir.resolve()
    if packet.inputs_root.resolve().is_relative_to(out_dir):
        raise BriefkitError(
            f"the output folder {out_dir} holds the inputs folder {packet.inputs_root}: a build replaces folders "
            "in it; choose an output folder outside the inputs (e.g. --out outputs)"
        )
    folder = out_dir / packet.id
    memory = packet.memory if isinstance(packet.memory, Path) else None  # a database is no file of the folder
    inputs = {"memory": memory, "translations": packet.translations, "glossary": packet.glossary}
    for key, path in [*inputs.items(), *(("bibliography", p) for p in packet.bibliography)]:
        if path is not None and path.resolve().is_relative_to(folder):
            raise BriefkitError(
                f"`{key}` {path.resolve()} lies in the output folder {folder}, which a build replaces whole; "
                "keep inputs out of it",
                path=packet.path,
            )
    if folder.exists() and not (folder.is_dir() and made_by_briefkit(folder)):
        raise BriefkitError(
            f"{folder} exists and briefkit did not make it (it has no {MARKER} file); briefkit replaces only its "
            "own packet folders: move it away or choose another --out"
        )
