"""Render preview pages of example reports as PNG under docs/preview/ (rerun after changing the layout).

For each example: the PDF with a cover (``--cover``), and the pages a reviewer looks at first — the
cover, the first body page, the first and the last attachment page — as PNG (pdftoppm, 60 dpi).
With LibreOffice installed (``soffice``), the Word file is converted and the same pages are kept too.

    .venv/bin/python scripts/preview.py            # seed + two other examples
    .venv/bin/python scripts/preview.py --dpi 90
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("社会保障专项-2020", "农村人居环境整治-2021", "义务教育学生资助-2022")
OUT = ROOT / "docs" / "preview"


def _pages(pdf: bytes) -> dict[str, int]:
    """Which page is which: cover 1, first body page 2, first and last attachment page."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() or "" for page in reader.pages]
    # an attachment page opens with its "附件" label; the body's prose also names 实际完成值, so that word cannot tell
    first = next((i for i, t in enumerate(texts) if t.lstrip().startswith("附件")), len(texts) - 1)
    return {"cover": 1, "body": 2, "attach-first": first + 1, "attach-last": len(texts)}


def _png(pdf: bytes, page: int, target: Path, dpi: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(target.with_suffix(""))], check=True, timeout=120)


def _docx_pdf(docx: bytes) -> bytes | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
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
    for name in EXAMPLES:
        report = compose(evaluate(load(ROOT / "examples" / f"{name}.yaml")))
        outputs = {"pdf": render_pdf(report, cover=True)}
        converted = _docx_pdf(render_docx(report, cover=True))
        if converted is not None:
            outputs["docx"] = converted
        for kind, pdf in outputs.items():
            for label, page in _pages(pdf).items():
                target = args.out / f"{name}.{kind}.{label}.png"
                _png(pdf, page, target, args.dpi)
                print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
