"""The only way WeasyPrint may load a resource: a fetcher that serves an allow-list of local files.

WeasyPrint's default fetcher opens any ``file:``, ``http(s):`` or ``data:`` URL it meets, so one
``<img src="file:///etc/passwd">`` or CSS ``url()`` reaching it would embed a local file in the PDF
or call out to the network. Our HTML never carries such references (Markdown is rendered without
raw HTML, links or images); this fetcher is the second line of defence. It serves exactly the
files it was given (the fonts chosen for the document and the package's own assets), reads them
itself rather than through urllib, and records every refusal so the renderer can fail loudly.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """A URL the fetcher will not open."""


class RestrictedFetcher(URLFetcher):
    """Serve only the listed files (by resolved path) and refuse every other URL."""

    def __init__(self, allowed: Iterable[Path] = ()) -> None:
        # no protocol is handed to urllib: ``fetch`` below never calls the parent's opener
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self._allowed = {Path(p).resolve() for p in allowed}
        self.refused: list[str] = []
        self.served: list[str] = []

    def allow(self, path: Path) -> None:
        """Add one more file to the allow-list."""
        self._allowed.add(Path(path).resolve())

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self._local_path(url)
        if path is None or path not in self._allowed:
            self.refused.append(url)
            raise RefusedURL(f"refused: {url[:200]}")
        self.served.append(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    @staticmethod
    def _local_path(url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            return Path(unquote(parts.path)).resolve()
        except (OSError, ValueError):
            return None

    def open(self, url: object, data: object = None, timeout: object = None) -> URLFetcherResponse:
        # the parent's urllib-style entry point, routed through the same allow-list
        return self.fetch(getattr(url, "full_url", url))  # type: ignore[arg-type]

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)
