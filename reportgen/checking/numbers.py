"""A number as a draft states it, and whether it agrees with the form's figure.

Shared by the report-level fact checks (``facts.py``) and the indicator-level ones
(``indicators.py``); it sits below both so neither imports the other to reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reportgen import formatting as fmt


@dataclass(frozen=True)
class Stated:
    """A number as the text states it."""

    value: Decimal
    places: int
    raw: str


def stated_number(raw: str) -> Stated | None:
    """``raw`` (``2,440.91``) read as a number with the decimals it gives, or None if it is not one."""
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    places = len(raw.split(".", 1)[1]) if "." in raw else 0
    return Stated(value, places, raw)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def agrees(stated: Stated, actual: Decimal) -> bool:
    """Whether a stated number is the form's figure as the text's precision writes it."""
    if stated.value == actual:
        return True
    if stated.places < min(_places(actual), 2):
        return False
    return fmt.quantize(actual, stated.places) == stated.value
