"""Time the Word renderer on the seed report and print medians.

Usage: .venv/bin/python benchmarks/bench_docx.py [--runs N]

Prints start-up (imports and template preparation, paid once per process), the median time of
one render after start-up (the issue's budget: ≤ 100 ms), the .docx size (budget: ≤ 100 KB),
and a baseline measured in the same run: the same Markdown written with python-docx's plain
API (Document(), add_heading/add_paragraph/add_table, save), so the ratio says what the
official layout, the markdown-it parse and the reproducible zip cost on this machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from io import BytesIO
from pathlib import Path

from timing import median_ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmark the source tree, as the tests do

SEED = ROOT / "examples" / "社会保障专项-2020.yaml"



def _plain_python_docx(markdown: str) -> bytes:
    """Baseline: one python-docx call per Markdown block, default template, no layout work."""
    from docx import Document

    doc = Document()
    table_rows: list[list[str]] = []

    def flush_table() -> None:
        if table_rows:
            header, *body = [r for r in table_rows if not set("".join(r)) <= set("-: ")]
            table = doc.add_table(rows=1 + len(body), cols=len(header))
            for r, row in enumerate([header, *body]):
                cells = table.rows[r].cells
                for c, text in enumerate(row[: len(cells)]):
                    cells[c].text = text
            table_rows.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            table_rows.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        flush_table()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            doc.add_heading(line[level:].strip(), level=level - 1)
        elif line.strip():
            doc.add_paragraph(line)
    flush_table()
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="renders per measurement (default 30)")
    runs = parser.parse_args().runs

    start = time.perf_counter()
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose

    report = compose(evaluate(load(SEED)))
    compose_s = time.perf_counter() - start

    start = time.perf_counter()
    from reportgen.renderers.docx import DocxRenderer

    renderer = DocxRenderer()
    startup_ms = (time.perf_counter() - start) * 1000

    data = renderer.render(report)  # warm-up
    ours = median_ms(lambda: renderer.render(report), runs)
    baseline = median_ms(lambda: _plain_python_docx(report.markdown), runs)
    identical = renderer.render(report) == DocxRenderer().render(report)

    print(f"seed report: {len(report.markdown)} characters of Markdown (load+evaluate+compose {compose_s:.2f} s)")
    print(f"start-up (import docx renderer + prepare template): {startup_ms:.1f} ms")
    print(f"render_docx median of {runs}: {ours:.1f} ms  (budget 100 ms)")
    print(f"baseline plain python-docx median of {runs}: {baseline:.1f} ms  → ratio {ours / baseline:.2f}×")
    print(f"docx size: {len(data) / 1024:.1f} KB  (budget 100 KB); byte-identical on re-render: {identical}")


if __name__ == "__main__":
    main()
