"""A project's 简称 and the way the report names the project (full name once, then the 简称).

Official reports name a long project in full once, add "（以下简称“…”）" and use the short name afterwards.
The short name is derived by rules only (no word is invented): the year, parenthesised parts, a budget code and
the generic tail (项目, 专项资金, 补助资金…) are dropped. Names of at most ``LONG`` characters keep their full form.
"""

from __future__ import annotations

import re

#: a name longer than this (characters) gets a 简称 after its first use
LONG = 12
#: the shortest 简称 worth giving (a shorter one would lose what the project is)
MIN_SHORT = 4
_YEAR = re.compile(r"^\s*(?:19|20)\d{2}\s*年(?:度)?")
_CODE = re.compile(r"^[0-9A-Za-z]{6,}\s*[-－—_:：]\s*")
_PARENS = re.compile(r"[（(][^（）()]*[）)]")
# generic tails, longest first: what remains names the project
_TAILS = ("专项补助资金", "补助资金项目", "专项资金项目", "专项经费", "专项资金", "补助资金", "经费项目", "资金项目",
          "项目经费", "项目资金", "项目")


def short_name(name: str) -> str:
    """The 简称 of a project name, or "" when the name is short enough or no rule shortens it."""
    full = name.strip()
    if len(full) <= LONG:
        return ""
    short = _CODE.sub("", _YEAR.sub("", full))
    short = _PARENS.sub("", short).strip()
    trimmed = True
    while trimmed:  # 基本公共卫生服务项目补助资金 → …项目 → 基本公共卫生服务
        trimmed = False
        for tail in _TAILS:
            if short.endswith(tail) and len(short) - len(tail) >= MIN_SHORT:
                short, trimmed = short[: -len(tail)], True
                break
    short = short.strip(" 、，,-—")
    if len(short) < MIN_SHORT or short == full or len(full) - len(short) < 2:
        return ""
    return short


class Naming:
    """Names the project in the order the report is written: full name and 简称 first, the 简称 afterwards.

    ``first()`` returns ``introduction`` ("全称（以下简称“简称”）", wording.yaml ``phrases.short_name``) the first
    time it is called for a report and the 简称 after that; ``short`` is the name to use wherever the full name
    has certainly been given (or the full name when there is no 简称). Templates render in outline order, so
    the first call is the first mention.
    """

    def __init__(self, full: str, short: str, introduction: str = "") -> None:
        self.full = full
        self.short = short or full
        self.has_short = bool(short)
        # the first mention, as wording.yaml ``phrases.short_name`` words it from the two names
        self.introduction = introduction or full
        self.introduced = False

    def first(self) -> str:
        if not self.has_short:
            return self.full
        if self.introduced:
            return self.short
        self.introduced = True
        return self.introduction

    def __str__(self) -> str:
        return self.first()
