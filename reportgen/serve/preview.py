"""The report's HTML as the page previews it: the report's own document plus a few screen-only rules.

The preview sits in a sandboxed iframe (no scripts, no same-origin access), so even a report
carrying hostile text could not act on the page; the renderer escapes it anyway.
"""

from __future__ import annotations

_SCREEN_CSS = """
mark.placeholder { background: #ffe14d; outline: 2px solid #e0a800; border-radius: 2px; }
[data-source] { border-bottom: 1px dotted #1a6fb0; cursor: help; position: relative; }
[data-source]:hover::after {
  content: attr(data-source); position: absolute; left: 0; top: 1.6em; z-index: 10; white-space: nowrap;
  background: #263238; color: #fff; font-size: 12px; line-height: 1.4; padding: 2px 6px; border-radius: 3px;
}
"""


def preview_document(document: str) -> str:
    """Add the screen-only rules to a standalone report document (before its </head>)."""
    return document.replace("</head>", f"<style>{_SCREEN_CSS}</style>\n</head>", 1)
