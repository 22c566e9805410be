"""The PDF: the packet's HTML page rendered by WeasyPrint as tagged PDF (PDF/UA-1), fetching nothing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from typing import Any

from toolkit.errors import BriefkitError
from toolkit.read.images import ImageRefused, decode_data_url


def refusing_fetcher() -> Any:
    """WeasyPrint's URL fetcher: a build never reaches the network or the file system through a document.

    It serves only the data: URLs of images the reader already checked and the writer embedded; any other URL
    stops the rendering (the writer makes no other, so one would be a bug worth stopping for). Defined here,
    not at the top, because importing WeasyPrint takes half a second that reading a packet does not need."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class RefusingFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url.lower().startswith("data:"):
                try:
                    data, media_type = decode_data_url(url)
                except ImageRefused as exc:
                    raise FatalURLFetchingError(f"refused an image: {exc}") from None
                return URLFetcherResponse(url[:40], data, {"Content-Type": media_type})
            raise FatalURLFetchingError(f"refused to fetch {url[:100]!r}")

    return RefusingFetcher(fail_on_errors=True)


def finish_tagging(link_labels: Mapping[str, str]) -> Callable[[Any, Any], None]:
    """A WeasyPrint finisher for what PDF/UA asks and WeasyPrint leaves out. Each internal link's Contents,
    read to a screen-reader user as the link's description, becomes the words of the heading it leads to
    (WeasyPrint writes the anchor id). Each table header cell says it heads its column (`Scope`): our tables
    have one header row and no row headers."""
    import pydyf

    def finish(_document: Any, pdf: Any) -> None:
        for obj in pdf.objects:
            if not isinstance(obj, dict):
                continue
            if obj.get("Subtype") == "/Link" and "Dest" in obj:
                label = link_labels.get(obj["Dest"].string)
                if label:
                    obj["Contents"] = pydyf.String(label)
            elif obj.get("Type") == "/StructElem" and obj.get("S") == "/TH":
                obj.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = "/Column"

    return finish


def write_pdf(html_text: str, timestamp: dt.datetime, link_labels: Mapping[str, str]) -> bytes:
    """Render HTML to a tagged PDF (PDF/UA) with WeasyPrint; the same input gives the same bytes. `link_labels`
    gives the words of each anchor internal links lead to."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    # No base URL: the page refers to nothing but the data: URLs of its images.
    document = weasyprint.HTML(string=html_text, url_fetcher=refusing_fetcher())
    # fontTools stamps each embedded font subset with the time unless SOURCE_DATE_EPOCH says otherwise.
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or str(int(timestamp.replace(tzinfo=dt.UTC).timestamp()))
    try:
        return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False, finisher=finish_tagging(link_labels))
    except FatalURLFetchingError as exc:
        raise BriefkitError(f"while rendering the PDF: {exc.__cause__ or exc}") from None
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
