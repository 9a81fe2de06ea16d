"""Print how fast tabular forms load, against openpyxl's own load time measured in the same run.

    .venv/bin/python benchmarks/bench_import.py [--workbooks 40] [--repeat 5]

Figures (median of ``--repeat`` runs):
- per workbook: openpyxl alone (normal and read-only mode) vs reportgen ``load`` (openpyxl + grid + reader
  + validation); the ratio is what reading by labels adds on top of opening the file;
- per Word file and per seed text file;
- the reader alone on grids of growing size: time per indicator row should stay flat (linear reading).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen.loaders import load  # noqa: E402
from reportgen.loaders.reader import read_grid  # noqa: E402
from reportgen.loaders.text import text_grid  # noqa: E402
from reportgen.loaders.xlsx_template import build_workbook  # noqa: E402


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_workbooks(folder: Path, count: int) -> list[Path]:
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    forms = [load(p) for p in examples]
    paths = []
    for i in range(count):
        path = folder / f"form{i:03d}.xlsx"
        build_workbook(forms[i % len(forms)]).save(path)
        paths.append(path)
    return paths


def make_docx(folder: Path) -> Path:
    import docx

    from reportgen.loaders.tabular import read_grids

    [grid] = read_grids(folder / "form000.xlsx")
    rows = max(c.last_row for c in grid.cells()) + 1
    cols = max(c.last_col for c in grid.cells()) + 1
    doc = docx.Document()
    table = doc.add_table(rows=rows, cols=cols)
    for cell in grid.cells():
        target = table.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(cell.last_row, cell.last_col))
        target.text = cell.text
    path = folder / "form.docx"
    doc.save(path)
    return path


def big_text(rows: int) -> str:
    lines = ["项目名称\t规模测试", "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分"]
    for i in range(rows):
        level = "产出指标\t数量指标" if i % 10 == 0 else "\t"
        lines.append(f"{level}\t指标{i}\t≥{i}人\t{i + 1}人\t1\t1")
    lines.append(f"总分\t{rows}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbooks", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import openpyxl

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        books = make_workbooks(folder, args.workbooks)
        n = len(books)

        def openpyxl_only(read_only: bool) -> None:
            for path in books:
                wb = openpyxl.load_workbook(path, data_only=True, read_only=read_only)
                for ws in wb.worksheets:
                    for _ in ws.iter_rows(values_only=True):
                        pass
                wb.close()

        base = median_time(lambda: openpyxl_only(False), args.repeat)
        read_only = median_time(lambda: openpyxl_only(True), args.repeat)
        ours = median_time(lambda: [load(p) for p in books], args.repeat)
        print(f"xlsx, {n} workbooks, median of {args.repeat} runs (ms per workbook):")
        print(f"  openpyxl load, normal mode      {base / n * 1000:7.2f}   (baseline)")
        print(f"  openpyxl load, read-only mode   {read_only / n * 1000:7.2f}   ratio {read_only / base:5.2f}")
        print(f"  reportgen load                  {ours / n * 1000:7.2f}   ratio {ours / base:5.2f}")
        print(f"  throughput                      {n / ours:7.1f} workbooks/s on one core")

        doc = make_docx(folder)
        t_docx = median_time(lambda: load(doc), args.repeat)
        seed = ROOT / "tests" / "data" / "seed.txt"
        t_seed = median_time(lambda: load(seed), args.repeat)
        print(f"docx  reportgen load              {t_docx * 1000:7.2f} ms")
        print(f"text  reportgen load (seed)       {t_seed * 1000:7.2f} ms")

    print("reader alone on growing grids (text source, no validation):")
    first = None
    for rows in (100, 1000, 10000):
        grid = text_grid(big_text(rows))
        t = median_time(lambda g=grid: read_grid(g), args.repeat)
        per_row = t / rows * 1e6
        first = first or per_row
        print(f"  {rows:6d} indicator rows   {t * 1000:8.2f} ms   {per_row:6.1f} µs/row   ratio {per_row / first:5.2f}")


if __name__ == "__main__":
    main()
