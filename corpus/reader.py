"""Read plan files: strict UTF-8, bounded in size, only regular files inside their folder, with a precise reason
for every file that is skipped."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from corpus.text import nfc

PLAN_SUFFIXES = (".txt",)
MAX_PLAN_BYTES = 4 * 1024 * 1024  # the longest real plan seen is 135 KB; 4 MB leaves room for annexes
# Signatures of formats that are not plain text, so a misnamed file gets a reason that names what it is.
_MAGIC = ((b"%PDF-", "a PDF file"), (b"PK\x03\x04", "a Word (.docx) or other zip file"),
          (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or Excel file"), (b"{\\rtf", "an RTF file"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"II*\x00", "a TIFF image"),
          (b"MM\x00*", "a TIFF image"))


@dataclass(frozen=True)
class PlanFile:
    """A readable plan file: its name, raw lines (as in the file) and content hash."""

    path: Path
    doc: str
    lines: tuple[str, ...]  # the file's own lines, NFC only where the file already is NFC
    sha256: str

    @property
    def text(self) -> str:
        """The whole file as one string."""
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    doc: str
    reason: str


def _guess_encoding(data: bytes) -> str:
    """Name the encoding a non-UTF-8 file most likely has, for the error message."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[1:200:2].count(0) > 50:
        return "UTF-16"
    try:
        decoded = data.decode("cp1258")
    except UnicodeDecodeError:
        return "an unknown encoding"
    viet = sum(ch in "ăâđêôơưĂÂĐÊÔƠƯ" for ch in nfc(decoded))
    return "Windows-1258 (cp1258)" if viet else "an unknown 8-bit encoding"


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


def read_plan(path: Path, max_bytes: int = MAX_PLAN_BYTES, root: Path | None = None) -> PlanFile | Skipped:
    """Read one plan file (a regular file inside root, by default its own folder, of at most max_bytes), or say
    precisely why it cannot be indexed."""
    doc = path.name
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
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return Skipped(doc, f"{what}, not plain text, despite its name; only UTF-8 text plans are read: "
                                "save the plan's text as UTF-8 .txt")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = _guess_encoding(data)
        if guess == "an unknown encoding" and b"\x00" in data:
            return Skipped(doc, "binary file (NUL bytes); plans must be plain UTF-8 text")
        return Skipped(
            doc,
            f"not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); looks like {guess}. "
            f"Convert it with: iconv -f {'UTF-16' if guess == 'UTF-16' else 'CP1258'} -t UTF-8 "
            f"{doc} > {Path(doc).stem}.utf8.txt",
        )
    if "\x00" in text:
        # Text never holds NUL; quoting around it would silently differ from the file.
        if _guess_encoding(data) == "UTF-16":
            return Skipped(doc, f"UTF-16 text; convert it with: iconv -f UTF-16 -t UTF-8 {doc} > "
                                f"{Path(doc).stem}.utf8.txt")
        return Skipped(doc, f"binary file (NUL byte at offset {data.index(0)}); plans must be plain UTF-8 text")
    letters = sum(ch.isalpha() for ch in text)
    if letters < 20:
        return Skipped(doc, f"no readable text ({letters} letters)")
    lines = tuple(text.split("\n"))
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return PlanFile(path=path, doc=doc, lines=tuple(line.rstrip("\r") for line in lines),
                    sha256=hashlib.sha256(data).hexdigest())


def find_plans(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders into their plan files (sorted) and keep named files; other files in a folder are skipped
    with the reason (hidden files are ignored)."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.name.startswith("."):
                    continue
                if p.suffix.lower() in PLAN_SUFFIXES:
                    found.append(p)
                elif not p.is_dir():
                    skipped.append(Skipped(p.name, f"unsupported file type {p.suffix or '(none)'}; plans are read "
                                                   f"from {', '.join(PLAN_SUFFIXES)} files"))
        elif path.exists() or path.is_symlink():
            found.append(path)
    return found, skipped


def list_plan_paths(paths: list[Path]) -> list[Path]:
    """The plan files among paths (folders expanded), without the skip reasons."""
    return find_plans(paths)[0]
