"""Read plan files of every supported type, bounded in size, only regular files inside their folder, with a
precise reason for every file that is skipped. The text of files that need extracting (Word, PDF, scans) is cached
by content hash, so a re-ingest never reads or OCRs a file twice."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus.readers import Extracted, ReadError, reader_for, supported_suffixes

MAX_PLAN_BYTES = 4 * 1024 * 1024  # the longest real plan seen is 135 KB of text; 4 MB leaves room for annexes
EXTRACTION_VERSION = "1"  # bump when a reader's output changes: cached extractions are then read again


@dataclass(frozen=True)
class PlanFile:
    """A readable plan file: its name, its text's lines (as in the file, or as extracted), and content hash."""

    path: Path
    doc: str
    lines: tuple[str, ...]  # a text file's own lines; for other types the extracted text (NFC)
    sha256: str
    pages: tuple[int, ...] = ()  # the page of each line (PDFs, multi-page scans); () when the format has none
    method: str = "text"  # how the text was obtained: text | docx | pdf-text | ocr | pdf-text+ocr

    @property
    def text(self) -> str:
        """The whole file as one string."""
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    doc: str
    reason: str


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _open_inside(path: Path, root: Path) -> int | Skipped:
    """A read-only descriptor of path if it is a regular file that resolves inside root, else the reason."""
    doc = path.name
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return Skipped(doc, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
    if not real.is_relative_to(root.resolve()):
        # A link out of the corpus folder would index (and quote) whatever file it points at.
        return Skipped(doc, "a link to a file outside the corpus folder; copy the plan into the folder instead")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return Skipped(doc, f"cannot read: {exc.strerror or exc}")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return Skipped(doc, "not a regular file (a folder, device or pipe); plans must be plain files")
    return fd


def _cached(cache_dir: Path | None, sha256: str) -> Extracted | None:
    if cache_dir is None:
        return None
    try:
        data = json.loads((cache_dir / f"{sha256}.json").read_text(encoding="utf-8"))
        if data.get("version") != EXTRACTION_VERSION:
            return None
        return Extracted(tuple(str(x) for x in data["lines"]), tuple(int(p) for p in data["pages"]),
                         str(data["method"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cache(cache_dir: Path | None, sha256: str, extracted: Extracted) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".{sha256}.tmp"
    tmp.write_text(json.dumps({"version": EXTRACTION_VERSION, "lines": list(extracted.lines),
                               "pages": list(extracted.pages), "method": extracted.method}, ensure_ascii=False),
                   encoding="utf-8")
    tmp.replace(cache_dir / f"{sha256}.json")


def read_plan(path: Path, max_bytes: int = MAX_PLAN_BYTES, root: Path | None = None,
              cache_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> PlanFile | Skipped:
    """Read one plan file (a regular file of a supported type inside root, by default its own folder, of at most
    max_bytes), or say precisely why it cannot be indexed. Extracted text is cached in cache_dir when given."""
    doc = path.name
    reader = reader_for(path)
    if reader is None:
        return Skipped(doc, f"unsupported file type {path.suffix or '(none)'}; plans are read from "
                            f"{', '.join(supported_suffixes())} files")
    opened = _open_inside(path, root or path.parent)
    if isinstance(opened, Skipped):
        return opened
    with os.fdopen(opened, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            return Skipped(doc, f"too large: {_size(size)}, over the {_size(max_bytes)} limit per plan "
                                "(PLANS_MAX_PLAN_MB); split it, or raise the limit")
        data = handle.read(max_bytes + 1)  # bounded even if the file grows while it is read
    if len(data) > max_bytes:
        return Skipped(doc, f"too large: over the {_size(max_bytes)} limit per plan (PLANS_MAX_PLAN_MB)")
    if not data.strip():
        return Skipped(doc, f"empty file ({len(data)} bytes); add the plan's text or remove the file")
    sha256 = hashlib.sha256(data).hexdigest()
    extracted = _cached(cache_dir, sha256) if reader.name != "text" else None
    if extracted is None:
        try:
            extracted = reader.extract(data, doc, progress or (lambda _msg: None))
        except ReadError as exc:
            return Skipped(doc, str(exc))
        if reader.name != "text":
            _cache(cache_dir, sha256, extracted)
    letters = sum(ch.isalpha() for line in extracted.lines for ch in line)
    if letters < 20:
        what = "no text found by OCR" if "ocr" in extracted.method else "no readable text"
        return Skipped(doc, f"{what} ({letters} letters)")
    return PlanFile(path=path, doc=doc, lines=extracted.lines, sha256=sha256, pages=extracted.pages,
                    method=extracted.method)


def find_plans(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders into their plan files (sorted) and keep named files; other files in a folder are skipped
    with the reason (hidden files are ignored)."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    suffixes = supported_suffixes()
    for path in paths:
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.name.startswith("."):
                    continue
                if p.suffix.lower() in suffixes:
                    found.append(p)
                elif not p.is_dir():
                    skipped.append(Skipped(p.name, f"unsupported file type {p.suffix or '(none)'}; plans are read "
                                                   f"from {', '.join(suffixes)} files"))
        elif path.exists() or path.is_symlink():
            found.append(path)
    return found, skipped


def list_plan_paths(paths: list[Path]) -> list[Path]:
    """The plan files among paths (folders expanded), without the skip reasons."""
    return find_plans(paths)[0]
