"""Images in summaries: read only from inside the inputs folder (or a small data: URL), never fetched.

A summary is untrusted text: `![x](file:///etc/passwd)`, `![x](../../secret.png)`, a symbolic link that leads out
of the inputs folder, `![x](http://127.0.0.1/admin)` and an oversized data: URL are each refused with a reason.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from pathlib import Path
from urllib.parse import unquote

import PIL.Image

from toolkit.model import Image, MediaType

MAX_IMAGE_BYTES = 5_000_000
MAX_DATA_URL_BYTES = 1_000_000
MAX_EMBEDDED_BYTES = 2 * MAX_IMAGE_BYTES  # an image file written anew (a JPEG re-encoded may grow a little)
MAX_PIXELS = 40_000_000
SIGNATURES: dict[bytes, MediaType] = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
DATA_URL = re.compile(r"data:(?P<type>[\w/+.-]*)(?P<params>(?:;[^,;]*)*),(?P<payload>.*)", re.S | re.I)


class ImageRefused(ValueError):
    """Why an image source cannot be used (the reader adds the file and line)."""


def clean_image(data: bytes) -> tuple[bytes, MediaType]:
    """The image decoded whole by Pillow and written anew (JPEG as JPEG, PNG and GIF as PNG), with its media
    type: what reaches the writers is a plain picture, without metadata (EXIF locations, comments) or
    anything a Word or PDF reader could trip on. SVG with its scripts, HTML, text, a damaged or truncated file
    and a decompression bomb are refused with the reason."""
    kind = next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)
    if kind is None:
        raise ImageRefused("is not a PNG, JPEG or GIF image")
    out = io.BytesIO()
    try:
        with PIL.Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                raise PIL.Image.DecompressionBombError("too many pixels")
            picture.load()
            if kind == "image/jpeg":
                picture.convert("RGB").save(out, "JPEG", quality=90)
            else:
                picture.save(out, "PNG")
                kind = "image/png"
    except PIL.Image.DecompressionBombError:
        raise ImageRefused(f"has more than {MAX_PIXELS // 1_000_000} million pixels (a decompression bomb?)") from None
    except (OSError, ValueError, SyntaxError):
        raise ImageRefused("is damaged or truncated") from None
    return out.getvalue(), kind


def decode_data_url(url: str, limit: int = MAX_DATA_URL_BYTES) -> tuple[bytes, MediaType]:
    """The bytes and media type of a base64 `data:image/...` URL within the size limit (by default a data: URL
    a summary may hold; the PDF writer's own, made from image files, are allowed as large as those)."""
    m = DATA_URL.fullmatch(url.strip())
    if not m or ";base64" not in m.group("params").lower():
        raise ImageRefused("only base64 data: URLs of PNG, JPEG or GIF images are allowed")
    payload = re.sub(r"\s+", "", m.group("payload"))
    if len(payload) * 3 // 4 > limit:
        raise ImageRefused(f"data: URL image is over the {limit // 1000} kB limit")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ImageRefused("data: URL is not valid base64") from None
    try:
        return clean_image(data)
    except ImageRefused as exc:
        raise ImageRefused(f"data: URL image {exc}") from None


def load_image(source: str, alt: str, summary: Path, inputs_root: Path | None) -> Image:
    """The image `source` names, relative to the summary; it must lie inside `inputs_root` (None: anywhere)."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", source)
    if scheme and scheme.group(1).lower() == "data":
        data, media_type = decode_data_url(source)
        return Image(data, media_type, alt)
    if scheme and len(scheme.group(1)) > 1:  # one letter is a Windows drive, not a scheme
        raise ImageRefused(
            f"image {source[:80]!r} is not fetched: briefkit reads images only from files inside the inputs folder"
        )
    try:  # a name with a NUL (%00), too long for the file system, or a loop of links: refused like a missing file
        path = (summary.parent / unquote(source)).resolve()
        if inputs_root is not None and not path.is_relative_to(inputs_root.resolve()):
            raise ImageRefused(f"image {source[:80]!r} is outside the inputs folder {inputs_root}")
        if not path.is_file():
            raise ImageRefused(f"image file not found: {source[:80]}")
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise ImageRefused(f"image {source[:80]!r} is over the {MAX_IMAGE_BYTES // 1_000_000} MB limit")
        data = path.read_bytes()
    except ImageRefused:
        raise
    except (OSError, ValueError, RuntimeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ImageRefused(f"image {source[:80]!r} cannot be read: {reason}") from None
    try:
        return Image(*clean_image(data), alt)
    except ImageRefused as exc:
        raise ImageRefused(f"image {source[:80]!r} {exc}") from None
