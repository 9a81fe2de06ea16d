"""Renderers: HTML and PDF (WeasyPrint), Word (python-docx) — all from the report's Markdown."""
