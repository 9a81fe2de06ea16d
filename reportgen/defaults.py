"""Every tunable of reportgen in one place: scoring thresholds, text-matching thresholds, input bounds.

Each value says what it bounds and why it is where it is. Scoring thresholds are defaults of
``ScoringRules`` (a caller may pass other rules); the bounds on input keep a hostile or broken file
from exhausting the machine and are one to three orders of magnitude above any real form.
Words (labels, comparators, grades) are data in ``lexicon/``; wording is in ``templates/``.
"""

from __future__ import annotations

from decimal import Decimal

# --- scoring (财预〔2020〕10号) -----------------------------------------------------------------------

#: lower bounds of the grades, inclusive: 90 is 优
GRADE_BANDS: tuple[tuple[Decimal, str], ...] = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))
#: what the weights of a full form add up to
TOTAL_WEIGHT = Decimal(100)
#: execution below this rate must be explained in the report (its own finding and paragraph), and a
#: batch overview lists the project under 需要关注
LOW_EXECUTION_RATE = Decimal("0.9")
#: completion above this ratio counts as "exceeded by far": 10号 asks for an analysis of the target
EXCEED_FAR_RATIO = Decimal("1.5")

#: how far (in 万元) an indicator's printed amount may lie from the budget figure and still be the same
#: money (a 资金到位 indicator of 2,440.91 for a budget of 2,440.9100): the cent of a rounded 万元 figure
MONEY_INDICATOR_TOLERANCE = Decimal("0.01")
#: how far the source rows (本年财政拨款、上年结转…) may add up from the 年度资金总额 row and still agree, in the
#: form's own unit: the last printed digit of figures rounded to two decimals
SOURCES_TOLERANCE = Decimal("0.01")

# --- comparing free texts ----------------------------------------------------------------------------

#: share of one text's character bigrams found in another above which both say the same thing (an
#: actual value that repeats the cause, a cause written again as a measure): bigrams because Chinese
#: has no spaces, 0.6 because a reworded sentence keeps more than half of them and different ones
#: share far fewer
SAME_TEXT_OVERLAP = Decimal("0.6")
#: the least overlap for pairing a department's task with a sentence of its 完成情况: lower than
#: SAME_TEXT_OVERLAP because a result restates a task in other words ("完成…宣传" for "宣传任务")
TASK_PAIRING_OVERLAP = Decimal("0.3")

# --- input bounds ------------------------------------------------------------------------------------

MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # all parts of an .xlsx/.docx, uncompressed
MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part (a worksheet, word/document.xml), uncompressed
MAX_PARTS = 5_000  # entries in the zip package
MAX_TEXT_FILE_BYTES = 20 * 1024 * 1024  # a YAML, JSON or extracted-text form (a real one has a few KB)
MAX_SHEETS = 200
MAX_ROWS = 50_000  # the last row a non-empty cell may sit on
MAX_COLUMNS = 1_000  # the last column (a form has ten to twenty)
MAX_CELLS = 200_000  # non-empty cells in one file
MAX_MERGES = 20_000  # merged areas in one sheet or document
MAX_SPAN = 64  # columns one Word cell may span (Word itself allows 63)
MAX_COVER_ROWS = 2_000_000  # sum over merged areas of the rows each covers inside the filled area

#: a YAML/JSON form has a few hundred nodes; far more means alias expansion ("billion laughs") or no form
MAX_FORM_NODES = 200_000
#: a form nests four levels (indicators[3].cause); hundreds mean a generated file, and would exhaust the stack
MAX_FORM_DEPTH = 64
#: integers with more digits are no figure of a form; Python refuses to convert beyond 4,300 anyway
MAX_INT_DIGITS = 50
#: a printed number with more characters is no figure of a form (it would be printed back in full)
MAX_NUMBER_CHARS = 60
#: a name (project, unit, indicator…) is one line and becomes a title, a file name and Word's document
#: title (255 characters at most); free text is a paragraph. Longer is pasted by mistake.
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 20_000
#: values in a user's outline, lexicon or wording file with every YAML alias expanded (a lexicon has a
#: few thousand)
MAX_DATA_FILE_NODES = 200_000
