"""Read plan files: strict UTF-8, with a precise reason for every file that is skipped."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from corpus.text import nfc

PLAN_SUFFIXES = (".txt",)


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


def read_plan(path: Path) -> PlanFile | Skipped:
    """Read one plan file, or say precisely why it cannot be indexed."""
    doc = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(doc, f"cannot read: {exc.strerror or exc}")
    if not data.strip():
        return Skipped(doc, f"empty file ({len(data)} bytes); add the plan's text or remove the file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        guess = _guess_encoding(data)
        if guess != "UTF-16":
            return Skipped(doc, "binary file (NUL bytes); plans must be plain UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = _guess_encoding(data)
        return Skipped(
            doc,
            f"not UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); looks like {guess}. "
            f"Convert it with: iconv -f {'UTF-16' if guess == 'UTF-16' else 'CP1258'} -t UTF-8 "
            f"{doc} > {Path(doc).stem}.utf8.txt",
        )
    if sum(ch.isalpha() for ch in text) < 20:
        return Skipped(doc, f"no readable text ({sum(ch.isalpha() for ch in text)} letters)")
    lines = tuple(text.split("\n"))
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return PlanFile(path=path, doc=doc, lines=tuple(line.rstrip("\r") for line in lines),
                    sha256=hashlib.sha256(data).hexdigest())


def list_plan_paths(paths: list[Path]) -> list[Path]:
    """Expand folders into their plan files (sorted); keep files as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.iterdir()) if p.suffix.lower() in PLAN_SUFFIXES
                         and p.is_file() and not p.name.startswith("."))
        elif path.exists():
            found.append(path)
    return found
