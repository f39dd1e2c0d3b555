"""Make plan files of every type (for tests and benchmarks): .docx (python-docx), text PDFs (reportlab), scans (a
text rendered with a Vietnamese font, then OCR'd by the code under test)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")  # Debian fonts-noto-core

HEADER = ("ỦY BAN NHÂN DÂN", "XÃ {place}", "Số: {number}/KH-UBND", "KẾ HOẠCH", "{title}")


def header(place: str, number: str, title: str) -> list[str]:
    """The letterhead lines of a commune plan."""
    return [line.format(place=place, number=number, title=title) for line in HEADER]


def make_docx(path: Path, paragraphs: Sequence[str], table: Sequence[Sequence[str]] = (),
              after: Sequence[str] = ()) -> Path:
    """A Word file: paragraphs, then a table (first row the headings), then more paragraphs."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    for text in after:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def make_text_pdf(path: Path, pages: Sequence[Sequence[str]]) -> Path:
    """A PDF with a text layer: each page's lines drawn top to bottom in a Vietnamese font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("NotoSans", str(FONT)))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        pdf.setFont("NotoSans", 11)
        y = A4[1] - 60
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return path


def render_page(lines: Sequence[str], dpi: int = 300) -> object:
    """A white A4 page image with the lines in black, as a scanner would give it."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    # 10 pt on 15 pt leading, 0.6 in margins: a line of 95 characters and 45 lines fit on the page.
    font = ImageFont.truetype(str(FONT), size=int(dpi * 10 / 72))
    y = int(dpi * 0.6)
    for line in lines:
        draw.text((int(dpi * 0.6), y), line, font=font, fill=0)
        y += int(dpi * 15 / 72)
    return image


def make_scan_pdf(path: Path, pages: Sequence[Sequence[str]]) -> Path:
    """A PDF of page images only (no text layer), like a scanner's."""
    images = [render_page(lines) for lines in pages]
    first, rest = images[0], images[1:]
    first.save(str(path), format="PDF", save_all=True, append_images=rest, resolution=300)  # type: ignore[attr-defined]
    return path


def make_scan_png(path: Path, lines: Sequence[str]) -> Path:
    """One scanned page as a PNG image."""
    render_page(lines).save(str(path))  # type: ignore[attr-defined]
    return path
