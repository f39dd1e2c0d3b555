"""File readers by type (.txt, .docx, .pdf, images): each turns a file's bytes into the plan's text as lines.

A small registry, like the other pluggable parts: `reader_for(path)` picks by suffix, an unknown suffix is skipped
with the list of the known ones. Heavy libraries (python-docx, pypdfium2, Tesseract) are loaded only when a file of
their type is read.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import PlansError

MAX_PDF_PAGES = 400  # a plan with its appendices rarely passes 100 pages; beyond this it is not one plan
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a .docx that inflates past this is a zip bomb, not a plan
OCR_DPI = 300  # Tesseract's documented sweet spot for body text
OCR_TIMEOUT_S = 180  # per page
Progress = Callable[[str], None]


class ReadError(PlansError):
    """A file of a supported type cannot be read; the message is the skip reason."""


@dataclass(frozen=True)
class Extracted:
    """A file's text as lines, the page of each line (0: the format has no pages) and how it was read."""

    lines: tuple[str, ...]
    pages: tuple[int, ...] = ()
    method: str = "text"  # text | docx | pdf-text | ocr | pdf-text+ocr


class FileReader(ABC):
    """Reads one kind of file."""

    name = ""
    suffixes: tuple[str, ...] = ()

    @abstractmethod
    def extract(self, data: bytes, doc: str, say: Progress) -> Extracted:
        """The file's text; raises ReadError with the reason when it cannot be read."""


_REGISTRY: dict[str, FileReader] = {}


def register(reader: FileReader) -> FileReader:
    """Make a reader available for its suffixes."""
    for suffix in reader.suffixes:
        _REGISTRY[suffix] = reader
    return reader


def supported_suffixes() -> tuple[str, ...]:
    """Every suffix a reader is registered for."""
    return tuple(sorted(_REGISTRY))


def reader_for(path: Path) -> FileReader | None:
    """The reader for a file's type, or None."""
    return _REGISTRY.get(path.suffix.lower())


def _nfc_lines(text: str) -> list[str]:
    return [unicodedata.normalize("NFC", line.rstrip()) for line in text.replace("\r\n", "\n").replace("\r", "\n")
            .split("\n")]


# Signatures of formats that are not plain text, so a misnamed file gets a reason that names what it is.
_MAGIC = ((b"%PDF-", "a PDF file"), (b"PK\x03\x04", "a Word (.docx) or other zip file"),
          (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or Excel file"), (b"{\\rtf", "an RTF file"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"II*\x00", "a TIFF image"),
          (b"MM\x00*", "a TIFF image"))


def _guess_encoding(data: bytes) -> str:
    """Name the encoding a non-UTF-8 file most likely has, for the error message."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[1:200:2].count(0) > 50:
        return "UTF-16"
    try:
        decoded = data.decode("cp1258")
    except UnicodeDecodeError:
        return "an unknown encoding"
    viet = sum(ch in "ăâđêôơưĂÂĐÊÔƠƯ" for ch in unicodedata.normalize("NFC", decoded))
    return "Windows-1258 (cp1258)" if viet else "an unknown 8-bit encoding"


class TextReader(FileReader):
    """Plain text: strict UTF-8 (a BOM allowed), the file's own lines kept exactly."""

    name = "text"
    suffixes = (".txt",)

    def extract(self, data: bytes, doc: str, say: Progress) -> Extracted:
        """The file's lines, or the reason it is not UTF-8 text (with the command that converts it)."""
        for magic, what in _MAGIC:
            if data.startswith(magic):
                supported = ", ".join(supported_suffixes())
                raise ReadError(f"{what}, not plain text, despite its .txt name; rename it to its type "
                                f"(read: {supported})")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            guess = _guess_encoding(data)
            if guess == "an unknown encoding" and b"\x00" in data:
                raise ReadError("binary file (NUL bytes); plans must be plain UTF-8 text") from exc
            stem = Path(doc).stem
            raise ReadError(
                f"not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); looks like {guess}. "
                f"Convert it with: iconv -f {'UTF-16' if guess == 'UTF-16' else 'CP1258'} -t UTF-8 "
                f"{doc} > {stem}.utf8.txt") from exc
        if "\x00" in text:
            # Text never holds NUL; quoting around it would silently differ from the file.
            if _guess_encoding(data) == "UTF-16":
                raise ReadError(f"UTF-16 text; convert it with: iconv -f UTF-16 -t UTF-8 {doc} > "
                                f"{Path(doc).stem}.utf8.txt")
            raise ReadError(f"binary file (NUL byte at offset {data.index(0)}); plans must be plain UTF-8 text")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        return Extracted(tuple(line.rstrip("\r") for line in lines))


class DocxReader(FileReader):
    """Word files: paragraphs and tables in reading order; a table's cells each on their own line, cells and rows
    apart by blank lines (the flattened form the structure reader rebuilds into rows)."""

    name = "docx"
    suffixes = (".docx",)

    def extract(self, data: bytes, doc: str, say: Progress) -> Extracted:
        """Paragraph and table text of a .docx, in body order."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
                if inflated > MAX_UNZIPPED_BYTES:
                    raise ReadError(f"a .docx that inflates to {inflated // (1024 * 1024)} MB (over "
                                    f"{MAX_UNZIPPED_BYTES // (1024 * 1024)} MB): not read, it may be a zip bomb")
                if "word/document.xml" not in archive.namelist():
                    raise ReadError("not a Word document (no word/document.xml inside)")
        except zipfile.BadZipFile as exc:
            raise ReadError(f"a damaged .docx (not a valid zip: {exc}); open and save it again in Word") from exc
        import docx
        from docx.table import Table

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several kinds on malformed XML
            raise ReadError(f"a damaged .docx ({type(exc).__name__}: {exc})") from exc
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines += _table_lines(block)
            else:
                lines += _nfc_lines(block.text)
        return Extracted(tuple(lines), method="docx")


def _table_lines(table: object) -> list[str]:
    """A table flattened one cell per block: merged cells once, nested tables inline, blank lines between."""
    from docx.table import Table

    assert isinstance(table, Table)
    out = [""]
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                continue
            seen.add(id(cell._tc))
            text = [line for p in cell.paragraphs for line in _nfc_lines(p.text) if line.strip()]
            for inner in cell.tables:
                text += [line for line in _table_lines(inner) if line.strip()]
            if text:
                out += [*text, ""]
    return out


class PdfReader(FileReader):
    """PDFs: each page's text layer with its line breaks; a page without one (a scan) is read by OCR."""

    name = "pdf"
    suffixes = (".pdf",)

    def extract(self, data: bytes, doc: str, say: Progress) -> Extracted:
        """Text of every page, OCR where a page has no text layer."""
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            reason = str(exc)
            if "password" in reason.lower():
                raise ReadError("an encrypted PDF (it needs a password); save an unprotected copy") from exc
            if re.search(rb"/Count\s+0\b", data) and not re.search(rb"/Type\s*/Page\b", data):
                raise ReadError("a PDF with no pages") from exc  # PDFium refuses to open one at all
            raise ReadError(f"a damaged PDF ({reason}); export it again") from exc
        try:
            count = len(pdf)
            if count == 0:
                raise ReadError("a PDF with no pages")
            if count > MAX_PDF_PAGES:
                raise ReadError(f"a PDF of {count} pages (over {MAX_PDF_PAGES}); split it into its documents")
            lines: list[str] = []
            pages: list[int] = []
            ocr_pages = 0
            for number in range(1, count + 1):
                page = pdf[number - 1]
                try:
                    textpage = page.get_textpage()
                    text = textpage.get_text_range()
                    textpage.close()
                    if sum(ch.isalpha() for ch in text) < 20:  # no usable text layer: a scanned page
                        say(f"{doc}: OCR of page {number}/{count}")
                        image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
                        buffer = io.BytesIO()
                        image.save(buffer, format="PNG")
                        text = ocr_image(buffer.getvalue())
                        ocr_pages += 1
                    elif count > 20 and number % 20 == 0:
                        say(f"{doc}: page {number}/{count}")
                finally:
                    page.close()
                page_lines = _nfc_lines(text.replace("\x0c", ""))
                while page_lines and not page_lines[-1].strip():
                    page_lines.pop()
                lines += page_lines
                pages += [number] * len(page_lines)
        finally:
            pdf.close()
        method = "ocr" if ocr_pages == count else ("pdf-text+ocr" if ocr_pages else "pdf-text")
        return Extracted(tuple(lines), tuple(pages), method)


class ImageReader(FileReader):
    """Scanned pages as images: OCR with Tesseract's Vietnamese model."""

    name = "image"
    suffixes = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

    def extract(self, data: bytes, doc: str, say: Progress) -> Extracted:
        """OCR text of the image (every frame of a multi-page TIFF, each its own page)."""
        from PIL import Image, UnidentifiedImageError

        try:
            image = Image.open(io.BytesIO(data))
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_PDF_PAGES:
                raise ReadError(f"an image of {frames} pages (over {MAX_PDF_PAGES})")
            lines: list[str] = []
            pages: list[int] = []
            for number in range(1, frames + 1):
                image.seek(number - 1)
                if image.width * image.height > 200_000_000:
                    raise ReadError(f"an image of {image.width}x{image.height} pixels: too large to OCR")
                say(f"{doc}: OCR of page {number}/{frames}")
                buffer = io.BytesIO()
                image.convert("L").save(buffer, format="PNG")
                page_lines = _nfc_lines(ocr_image(buffer.getvalue()).replace("\x0c", ""))
                while page_lines and not page_lines[-1].strip():
                    page_lines.pop()
                lines += page_lines
                pages += [number] * len(page_lines)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ReadError(f"an image that cannot be opened ({type(exc).__name__}: {exc})") from exc
        return Extracted(tuple(lines), tuple(pages) if frames > 1 else (), "ocr")


def tesseract_languages() -> tuple[str, ...]:
    """The languages installed for Tesseract (empty when Tesseract is missing)."""
    exe = shutil.which("tesseract")
    if not exe:
        return ()
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    return tuple(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def ocr_image(png: bytes) -> str:
    """Tesseract's text of one page image, with its Vietnamese model."""
    exe = shutil.which("tesseract")
    if not exe:
        raise ReadError("a scan, and Tesseract is not installed: install it with "
                        "`apt-get install tesseract-ocr tesseract-ocr-vie` (scripts/setup.sh does)")
    if "vie" not in tesseract_languages():
        raise ReadError("a scan, and Tesseract's Vietnamese model is missing: `apt-get install tesseract-ocr-vie`")
    try:
        out = subprocess.run([exe, "stdin", "stdout", "-l", "vie"], input=png, capture_output=True,
                             timeout=OCR_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ReadError(f"OCR of a page took over {OCR_TIMEOUT_S} s") from exc
    if out.returncode != 0:
        raise ReadError(f"Tesseract failed: {out.stderr.decode('utf-8', 'replace')[-200:]}")
    return out.stdout.decode("utf-8", "replace")


for _reader in (TextReader(), DocxReader(), PdfReader(), ImageReader()):
    register(_reader)
