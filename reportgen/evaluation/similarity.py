"""Tell how far two free texts say the same thing: shared character bigrams (Chinese has no spaces).

Used by scoring (an analysis item that repeats an indicator's actual value), department forms (a task
paired with a sentence of its 完成情况) and the narrative; thresholds are in reportgen/defaults.py.
"""

from __future__ import annotations

import re
from decimal import Decimal

_PUNCTUATION = re.compile(r"[\s,，。、；;：:！!？?“”\"'（）()]")


def bigrams(text: str) -> set[str]:
    """Return the text's character bigrams, spaces and punctuation left out."""
    text = _PUNCTUATION.sub("", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def text_overlap(a: str, b: str) -> Decimal:
    """Share of the shorter text's character bigrams found in the other (0–1)."""
    ga, gb = bigrams(a), bigrams(b)
    if not ga or not gb:
        return Decimal(0)
    return Decimal(len(ga & gb)) / Decimal(min(len(ga), len(gb)))
