"""Figures that know where they came from, gaps that say what is missing, and the ledger of a report.

Every number a report states is a :class:`Figure`: a value, its kind and unit, and its origin —
:class:`Printed` (read from a named place of the form: ``form.yaml:23``, ``表.xlsx!自评表!H12``),
:class:`Computed` (by a named rule from other figures) or :class:`Missing` (the form leaves it
blank). Templates format figures (``{{ b.executed | money }}`` or just ``{{ b.executed }}``); each
time a figure becomes text while a :class:`Ledger` is active, the ledger records the section, the
text, the value and the origin. The checker verifies a generated report against that ledger, the
HTML shows the origin on hover and ``render`` writes it to ``<报告名>.sources.json``.

Other modules hang more on a figure without changing this one: ``Figure.path`` is the stable key
(the form's field path, or a derived key such as ``categories[产出指标].score``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate, repeat
from typing import Any, Literal, NamedTuple

from reportgen import formatting as fmt

#: ``quantity``: an amount of something other than points or money (人次, 户), written with thousands
#: separators (9,000人次) — used where the form itself groups the digits, so the report writes as the form does
Kind = Literal["money", "rate", "score", "count", "quantity", "year", "date", "grade", "text"]


@dataclass(slots=True, unsafe_hash=True)
class Printed:
    """Read from the form: ``place`` is file plus YAML line or sheet!cell, ``path`` the field path."""

    place: str
    path: str

    @property
    def kind(self) -> str:
        return "printed"

    def describe(self) -> str:
        return f"自评表填报：{self.place}（{self.path}）"

    def to_dict(self) -> dict[str, Any]:
        return {"origin": "printed", "place": self.place, "path": self.path}


@dataclass(slots=True, unsafe_hash=True)
class Computed:
    """Computed by ``rule`` from ``inputs`` (never printed on the form)."""

    rule: str
    inputs: tuple[Figure, ...] = ()

    @property
    def kind(self) -> str:
        return "computed"

    def describe(self) -> str:
        places = list(dict.fromkeys(i.origin.place for i in self.inputs if isinstance(i.origin, Printed)))
        shown = "、".join(places[:4]) + ("等" if len(places) > 4 else "")
        return f"计算：{self.rule}" + (f"（依据 {shown}）" if shown else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": "computed",
            "rule": self.rule,
            "inputs": [{"path": i.path, "value": i.plain(), "origin": i.origin.kind} for i in self.inputs],
        }


@dataclass(slots=True, unsafe_hash=True)
class Missing:
    """Not on the form: ``what`` the report needs, ``path`` the field that is blank."""

    what: str
    path: str

    @property
    def kind(self) -> str:
        return "missing"

    def describe(self) -> str:
        return f"自评表未填写：{self.what}（{self.path}）"

    def to_dict(self) -> dict[str, Any]:
        return {"origin": "missing", "what": self.what, "path": self.path}


Origin = Printed | Computed | Missing
# The origins are immutable by convention, like Figure: hashable and compared by value as frozen dataclasses are,
# but built without frozen's object.__setattr__ per field (a report builds some 150 of them, and that cost half
# the time spent making its figures).


@dataclass(frozen=True, slots=True)
class Gap:
    """Something the report needs and the form lacks: shown as 【待补充：what】."""

    what: str
    path: str = ""

    @property
    def mark(self) -> str:
        return f"【待补充：{self.what}】"

    def __str__(self) -> str:
        return self.mark

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "path": self.path, "mark": self.mark}


@dataclass(slots=True, eq=False)
class Figure:
    """One number (or grade, year, date) of the form or computed from it, with its origin.

    Treated as immutable (not frozen only because frozen dataclasses cost a third of the composing time
    spent on figures); ``_text`` caches the default formatting.
    """

    value: Decimal | str | None
    kind: Kind
    origin: Origin
    unit: str = ""
    path: str = ""
    label: str = ""
    _text: str | None = field(default=None, repr=False)

    # origin tests, for templates: {% if f.total.computed %}…
    @property
    def printed(self) -> bool:
        return isinstance(self.origin, Printed)

    @property
    def computed(self) -> bool:
        return isinstance(self.origin, Computed)

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def number(self) -> Decimal:
        """The value as a Decimal (0 when missing), for comparisons in templates."""
        return self.value if isinstance(self.value, Decimal) else Decimal(0)

    def __bool__(self) -> bool:
        # presence, not magnitude: a printed score of 0 is a figure; compare with 0 for zero
        return self.value is not None

    # Templates compare figures with numbers (``c.count > 1``), with each other (``c.full_count == c.count``)
    # and, in templates written for the former string facts, with their text (``c.lost != "0"``).
    def _other(self, other: object) -> Decimal | int | str | None:
        # an int is compared as it is (Decimal compares exactly with int): templates compare figures with
        # literals (``c.count > 1``) hundreds of times a report, and Decimal(1) each time was a measurable cost
        cls = type(other)
        if cls is int or cls is Decimal:
            return other  # type: ignore[return-value]
        if isinstance(other, Figure):
            return other.value
        if isinstance(other, bool):
            return None
        if isinstance(other, (int, Decimal)):
            return Decimal(other)
        if isinstance(other, float):
            return Decimal(repr(other))
        if isinstance(other, str):
            return other
        return None

    # each comparison first tries the case templates write most (a figure against an int literal) without a call
    def __eq__(self, other: object) -> bool:
        if type(other) is int:
            return self.value == other
        if other is None:
            return self.value is None
        theirs = self._other(other)
        if isinstance(other, str) and not isinstance(self.value, str):
            return self.format() == other
        return theirs is not None and theirs == self.value

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def _cmp(self, other: object) -> tuple[Decimal, Decimal | int]:
        theirs = self._other(other)
        if not isinstance(self.value, Decimal) or not isinstance(theirs, (Decimal, int)):
            raise TypeError(f"无法比较数字“{self.label or self.path}”与 {other!r}")
        return self.value, theirs

    def __lt__(self, other: object) -> bool:
        v = self.value
        if type(other) is int and type(v) is Decimal:
            return v < other
        a, b = self._cmp(other)
        return a < b

    def __le__(self, other: object) -> bool:
        v = self.value
        if type(other) is int and type(v) is Decimal:
            return v <= other
        a, b = self._cmp(other)
        return a <= b

    def __gt__(self, other: object) -> bool:
        v = self.value
        if type(other) is int and type(v) is Decimal:
            return v > other
        a, b = self._cmp(other)
        return a > b

    def __ge__(self, other: object) -> bool:
        v = self.value
        if type(other) is int and type(v) is Decimal:
            return v >= other
        a, b = self._cmp(other)
        return a >= b

    def format(self, unit: str | None = None) -> str:
        """The figure as the report writes it (no ledger entry)."""
        if unit is None:
            if self._text is None:
                self._text = self._format(None)
            return self._text
        return self._format(unit)

    def _format(self, unit: str | None) -> str:
        v = self.value
        if v is None:
            return "—"
        if isinstance(v, str):
            return v
        if self.kind == "money":
            return fmt.money(v, unit or self.unit or "万元")
        if self.kind == "rate":
            return fmt.percent(v)
        if self.kind in ("count", "year"):
            return str(int(v))
        if self.kind == "quantity":
            return fmt.plain_number(v, grouping=True)
        return fmt.score(v)

    def plain(self) -> str | None:
        """The value as plain text for machine-readable output (``2440.91``, ``1``)."""
        if self.value is None:
            return None
        if isinstance(self.value, str):
            return self.value
        return format(self.value.normalize(), "f")

    def stated(self, unit: str | None = None) -> str:
        """The figure as the report writes it, recorded in the active ledger (templates' filters use this)."""
        text = self._text if unit is None and self._text is not None else self.format(unit)
        ledger = _ACTIVE.get()
        if ledger is None or self.value is None:
            return text
        entries = ledger.entries  # Ledger.record, inlined: this runs for every figure of every report
        entries.append((ledger.section, ledger.part, self))
        return f"{_OPEN}{len(entries) - 1}{_MID}{text}{_CLOSE}"

    __str__ = stated  # ``{{ figure }}`` in a template: stated, recorded (no extra call per figure)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "label": self.label, "kind": self.kind, "unit": self.unit,
                "value": self.plain(), **self.origin.to_dict()}


def printed(value: Decimal | str | None, kind: Kind, place: str, path: str, *, unit: str = "", label: str = "",
            what: str = "") -> Figure:
    """A figure read from the form, or a Missing one when the form leaves it blank."""
    if value is None:
        return Figure(None, kind, Missing(what or label, path), unit, path, label)
    return Figure(value, kind, Printed(place, path), unit, path, label)


def computed(value: Decimal | str | None, kind: Kind, rule: str, inputs: tuple[Figure, ...] = (), *, path: str,
             unit: str = "", label: str = "", what: str = "") -> Figure:
    """A figure computed by ``rule``; Missing when it cannot be computed."""
    if value is None:
        return Figure(None, kind, Missing(what or label, path), unit, path, label)
    return Figure(value, kind, Computed(rule, inputs), unit, path, label)


# --- the ledger -------------------------------------------------------------------------------------


class Entry(NamedTuple):
    """A figure as one section of the report states it, at ``start:end`` of the report's Markdown."""

    section: str  # the top-level section (Report.sections key)
    part: str  # the outline node it was written in ("budget", "outputs"…)
    text: str
    figure: Figure
    start: int = -1
    end: int = -1

    @property
    def value(self) -> Decimal | str | None:
        return self.figure.value

    @property
    def origin(self) -> Origin:
        return self.figure.origin

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "part": self.part, "text": self.text, "offset": self.start,
                **self.figure.to_dict()}


# While a report is composed, a recorded figure's text is wrapped in private-use characters carrying its
# entry number; ``Ledger.resolve`` strips them from the finished Markdown and keeps each figure's exact offset,
# so the checker and the HTML renderer find the very characters a figure became (not any "2" in the text).
_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARKED = re.compile(f"{_OPEN}(\\d+){_MID}([^{_CLOSE}]*){_CLOSE}")


def unmark(text: str) -> str:
    """Text without the ledger's marks (for strings taken out of a report while it is composed)."""
    if _OPEN not in text:
        return text
    pieces = _MARKED.split(text)  # text, number, figure text, …: drop the numbers (no Python call per mark)
    del pieces[1::3]
    return "".join(pieces)


@dataclass
class Ledger:
    """Every figure a report states, in order, with the section it is stated in."""

    # (section, part, figure) per recorded figure; Entry objects are made only for those the text keeps
    entries: list[tuple[str, str, Figure]] = field(default_factory=list)
    section: str = ""
    part: str = ""

    def record(self, figure: Figure, text: str) -> str:
        """Record a figure stated as ``text``; return the text marked for ``resolve``."""
        entries = self.entries
        entries.append((self.section, self.part, figure))
        return f"{_OPEN}{len(entries) - 1}{_MID}{text}{_CLOSE}"

    def mark(self, figure: Figure, text: str, within: str) -> str:
        """Mark the first ``text`` in an already composed string (a title written by Python) as ``figure``."""
        at = within.find(text)
        if at < 0:
            return within
        return within[:at] + self.record(figure, text) + within[at + len(text):]

    def resolve(self, marked: str) -> tuple[str, list[Entry]]:
        """Strip the marks from the finished text; return it and the entries it states, with their offsets.

        A figure recorded but not written (a template built a phrase and then did not use it) is not stated,
        so it is not in the result.
        """
        pieces = _MARKED.split(marked)  # text, number, figure text, text, number, figure text, …, text
        numbers, texts = pieces[1::3], pieces[2::3]
        del pieces[1::3]  # the entry numbers: what is left is the text with each figure's own text in place
        if not numbers:
            return "".join(pieces), []
        # offsets and entries built by C-level iteration (map, zip, accumulate): this runs once per figure
        ends = list(accumulate(map(len, pieces)))  # pieces[2k + 1] is the k-th figure's text
        sections, parts, figures = zip(*map(self.entries.__getitem__, map(int, numbers)), strict=True)
        found = list(map(tuple.__new__, repeat(Entry), zip(sections, parts, texts, figures, ends[0:-1:2], ends[1::2], strict=True)))
        return "".join(pieces), found

    @contextmanager
    def active(self, section: str, part: str = "") -> Iterator[Ledger]:
        """Record every figure formatted inside the block under ``section`` (and outline node ``part``)."""
        previous = self.section, self.part
        self.section, self.part = section, part or section
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)
            self.section, self.part = previous


_ACTIVE: ContextVar[Ledger | None] = ContextVar("reportgen_ledger", default=None)
