"""``reportgen serve``: a local web page that generates, checks and batch-produces reports.

The page is for colleagues who live in Excel and Word: it runs the CLI's own pipeline on the
same machine, keeps every uploaded file in a per-session temporary workspace, and ships all its
assets (no CDN, no web fonts), so it works without internet. See docs/serve.md.
"""

from __future__ import annotations

from reportgen.serve.app import create_app
from reportgen.serve.limits import Limits

__all__ = ["Limits", "create_app"]
