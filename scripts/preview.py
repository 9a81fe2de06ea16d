"""Render preview pages of example reports as PNG under docs/preview/ (rerun after changing the layout).

For each example: the PDF with a cover (``--cover``), and the pages a reviewer looks at first — the
cover, the first body page, the first and the last attachment page — as PNG (pdftoppm, 60 dpi).
With LibreOffice installed (``soffice``), the Word file is converted and the same pages are kept too;
without it the Word pages are skipped, saying so and what to run (``bash scripts/setup.sh preview``).

    .venv/bin/python scripts/preview.py            # seed + two other examples
    .venv/bin/python scripts/preview.py --dpi 90
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("社会保障专项-2020", "农村人居环境整治-2021", "义务教育学生资助-2022")
OUT = ROOT / "docs" / "preview"


# an attachment page opens with its label on a line of its own ("附件", "附件2"); the body's last page
# may open with the 附件 note ("附件：绩效指标完成情况表"), and its prose also names 实际完成值
_LABEL = re.compile(r"附件\d*\s*$")


def pick_pages(texts: list[str]) -> dict[str, int]:
    """Which page (1-based) is which, from each page's text: cover, first body page, first and last attachment."""
    first = next((i for i, t in enumerate(texts) if _LABEL.match(t.lstrip().split("\n", 1)[0])), len(texts) - 1)
    return {"cover": 1, "body": 2, "attach-first": first + 1, "attach-last": len(texts)}


def _pages(pdf: bytes) -> dict[str, int]:
    from pypdf import PdfReader

    return pick_pages([page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages])


def _png(pdf: bytes, page: int, target: Path, dpi: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(target.with_suffix(""))], check=True, timeout=120)


#: said once when soffice is missing: the Word previews under docs/preview/ then stay as they were
NO_SOFFICE = (
    "未安装 LibreOffice（soffice）：Word 样张（*.docx.*.png）没有重新生成，可能已过时。\n"
    "LibreOffice (soffice) is not installed: the Word (.docx) preview pages were NOT regenerated and may be stale.\n"
    "  Install it with:  bash scripts/setup.sh preview   (Debian: apt-get install --no-install-recommends "
    "libreoffice-writer-nogui)\n"
    "  then rerun:       .venv/bin/python scripts/preview.py"
)


def _docx_pdf(soffice: str, docx: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(docx)
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(source)],
                       check=True, capture_output=True, timeout=300)
        return (Path(tmp) / "report.pdf").read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from reportgen.evaluation.scoring import evaluate
    from reportgen.loaders import load
    from reportgen.narrative import compose
    from reportgen.renderers.docx import render_docx
    from reportgen.renderers.pdf import render_pdf

    args.out.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice")
    if soffice is None:
        print(NO_SOFFICE, file=sys.stderr)
    for name in EXAMPLES:
        report = compose(evaluate(load(ROOT / "examples" / f"{name}.yaml")))
        outputs = {"pdf": render_pdf(report, cover=True)}
        if soffice is not None:
            outputs["docx"] = _docx_pdf(soffice, render_docx(report, cover=True))
        for kind, pdf in outputs.items():
            for label, page in _pages(pdf).items():
                target = args.out / f"{name}.{kind}.{label}.png"
                _png(pdf, page, target, args.dpi)
                print(target.relative_to(ROOT))
    if soffice is None:
        print(NO_SOFFICE, file=sys.stderr)  # again at the end, where it is not scrolled away
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
