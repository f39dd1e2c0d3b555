"""Benchmark the file readers on a clean real plan (seed 002) turned into a .docx, a text PDF and scans.

Prints, for each: exact line matches with the source, and seconds; for PDFs, the same for every PDF text extractor
installed (pypdfium2, which the product uses; pdfplumber; poppler's pdftotext with and without -layout), plus a
two-column letterhead; for scans, Tesseract-vie's syllable accuracy and seconds per page, and whether the repair
stage then runs (and the accuracy after it).

    python evals/readers_bench.py [--pages N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.docs import make_docx, make_scan_pdf, make_text_pdf  # after the path insert
from evals.metrics import syllable_accuracy

REPO = Path(__file__).resolve().parent.parent
PLAN = REPO / "corpus" / "plans" / "002_8d078f4651206baf.txt"
WRAP = 95  # characters per visual line: an A4 page in 11 pt
PER_PAGE = 42


def line_match(read: list[str], truth: list[str]) -> tuple[int, int]:
    """(non-blank lines equal to the source's, in order, whitespace collapsed; source's non-blank lines)."""
    got = [" ".join(x.split()) for x in read if x.strip()]
    want = [" ".join(x.split()) for x in truth if x.strip()]
    return sum(g == w for g, w in zip(got, want, strict=False)), len(want)


def visual_lines(lines: list[str]) -> list[str]:
    """The plan's lines hard-wrapped as a PDF shows them."""
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, WRAP) or [""]
    return out


def extractors() -> dict[str, Callable[[Path], list[str]]]:
    """Every PDF text extractor installed here, by name."""
    found: dict[str, Callable[[Path], list[str]]] = {}

    def pdfium(path: Path) -> list[str]:
        from corpus.reader import PlanFile, read_plan

        plan = read_plan(path, max_bytes=1 << 30)
        return list(plan.lines) if isinstance(plan, PlanFile) else []

    found["pypdfium2 (product)"] = pdfium
    try:
        import pdfplumber

        def plumber(path: Path) -> list[str]:
            with pdfplumber.open(str(path)) as pdf:
                return [line for page in pdf.pages for line in (page.extract_text() or "").split("\n")]

        found["pdfplumber"] = plumber
    except ImportError:
        print("(pdfplumber not installed: skipped)")
    if shutil.which("pdftotext"):
        for flag in ("", "-layout"):
            def poppler(path: Path, flag: str = flag) -> list[str]:
                args = ["pdftotext", "-enc", "UTF-8", *([flag] if flag else []), str(path), "-"]
                out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
                return out.replace("\f", "\n").split("\n")

            found[f"pdftotext {flag}".strip()] = poppler
    else:
        print("(pdftotext not installed: apt-get install poppler-utils; skipped)")
    return found


def letterhead_pdf(path: Path) -> list[str]:
    """A one-page PDF whose letterhead has two columns side by side; returns the phrases that must stay whole."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from evals.docs import FONT

    left = ["ỦY BAN NHÂN DÂN", "XÃ TÂN LẬP", "Số: 12/KH-UBND"]
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Tân Lập, ngày 05 tháng 3 năm 2025"]
    pdfmetrics.registerFont(TTFont("NotoSans", str(FONT)))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("NotoSans", 11)
    y = A4[1] - 60
    for a, b in zip(left, right, strict=True):
        pdf.drawCentredString(130, y, a)
        pdf.drawCentredString(400, y, b)
        y -= 16
    body = ["KẾ HOẠCH", "Triển khai chuyển đổi số năm 2025", "I. MỤC ĐÍCH, YÊU CẦU"]
    for line in body:
        y -= 10
        pdf.drawString(50, y, line)
    pdf.showPage()
    pdf.save()
    return left + right + body


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=3, help="scanned pages to OCR (default 3)")
    args = parser.parse_args(argv)
    from corpus.reader import PlanFile, read_plan

    source = PLAN.read_text(encoding="utf-8").split("\n")
    while source and not source[-1].strip():
        source.pop()
    tmp = Path(tempfile.mkdtemp(prefix="plans-readers-"))
    try:
        started = time.perf_counter()
        plan = read_plan(make_docx(tmp / "002.docx", source))
        seconds = time.perf_counter() - started
        ok, total = line_match(list(plan.lines) if isinstance(plan, PlanFile) else [], source)
        print(f"docx: {ok}/{total} lines exact ({seconds:.2f} s)")

        visual = visual_lines(source)
        pages = [visual[i:i + PER_PAGE] for i in range(0, len(visual), PER_PAGE)]
        pdf = make_text_pdf(tmp / "002.pdf", pages)
        two = tmp / "letterhead.pdf"
        phrases = letterhead_pdf(two)
        for name, extract in extractors().items():
            started = time.perf_counter()
            lines = extract(pdf)
            seconds = time.perf_counter() - started
            ok, total = line_match(lines, visual)
            head = extract(two)
            whole = sum(any(p in " ".join(line.split()) for line in head) for p in phrases)
            print(f"text PDF, {name}: {ok}/{total} lines exact, {seconds / len(pages) * 1000:.0f} ms/page; "
                  f"two-column letterhead: {whole}/{len(phrases)} phrases whole")

        if not shutil.which("tesseract"):
            print("scan: Tesseract not installed; skipped")
            return 0
        scan_pages = pages[:args.pages]
        truth = [line for page in scan_pages for line in page]
        scan = make_scan_pdf(tmp / "scan.pdf", scan_pages)
        started = time.perf_counter()
        read = read_plan(scan, max_bytes=1 << 30)
        seconds = time.perf_counter() - started
        lines = list(read.lines) if isinstance(read, PlanFile) else []
        accuracy = syllable_accuracy(lines, truth)
        print(f"scan (Tesseract vie, 300 dpi): {accuracy:.1%} syllables right, "
              f"{seconds / len(scan_pages):.1f} s/page over {len(scan_pages)} pages")
        from corpus.restore import read_plan_lines, repair_available

        if repair_available():
            reading = read_plan_lines(lines)
            after = syllable_accuracy(list(reading.lines), truth) if reading.repaired else accuracy
            print(f"repair stage on the OCR text: {'ran' if reading.repaired else 'not needed'} "
                  f"(damage score {reading.score:.3f}); {after:.1%} syllables right after it")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
