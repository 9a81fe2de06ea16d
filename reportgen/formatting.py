"""Numbers the way Chinese finance texts write them: 2,440.91万元, 100%, 98.5分.

Used by the templates' filters and by findings' messages, so a number reads the same
everywhere it appears.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

_ORDINALS = "零一二三四五六七八九十"


def quantize(value: Decimal, places: int = 2) -> Decimal:
    """Round half up (as finance offices do), not to even."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain_number(value: Decimal | int | float, places: int = 2, grouping: bool = False) -> str:
    """Format with at most ``places`` decimals and no trailing zeros: 98 · 98.5 · 2440.91."""
    number = quantize(Decimal(str(value)), places)
    text = f"{number:,.{places}f}" if grouping else f"{number:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(value: Decimal | None, unit: str = "万元") -> str:
    """Money with thousands separators and two decimals, as printed on forms: 2,440.91万元."""
    if value is None:
        return "—"
    number = quantize(Decimal(value), 2)
    return f"{number:,.2f}{unit}"


def percent(fraction: Decimal | None, places: int = 2) -> str:
    """A fraction as a percentage without trailing zeros: 1 → 100%, 0.700407 → 70.04%."""
    if fraction is None:
        return "—"
    return plain_number(Decimal(fraction) * 100, places) + "%"


def score(value: Decimal | None) -> str:
    """A score without trailing zeros: 20 · 98.5 · 7.25."""
    return "—" if value is None else plain_number(value, 2)


def ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (official heading numbers)."""
    if n <= 10:
        return _ORDINALS[n]
    if n < 20:
        return "十" + _ORDINALS[n - 10]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _ORDINALS[tens] + "十" + (_ORDINALS[ones] if ones else "")
    return str(n)


def date(day: datetime.date) -> str:
    """A date as official documents write it: 2021年3月5日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def enumerate_cn(items: list[str] | tuple[str, ...], last: str = "和") -> str:
    """Join the Chinese way, skipping empty items: 甲、乙和丙."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + last + items[-1]
