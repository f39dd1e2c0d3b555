"""Word lists kept as data (corpus/data/*.txt): each file's first line says where its words come from."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from corpus.errors import PlansError
from corpus.text import fold, nfc

DATA_DIR = Path(__file__).resolve().parent / "data"


class WordListError(PlansError, ValueError):
    """A word-list file is missing its source line or is malformed."""


def _lines(name: str) -> list[str]:
    path = DATA_DIR / name
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# Source:"):
        raise WordListError(f"{path}: the first line must say where the words come from ('# Source: …').")
    return [nfc(line.strip()) for line in lines[1:] if line.strip() and not line.lstrip().startswith("#")]


@cache
def words(name: str) -> tuple[str, ...]:
    """The entries of a plain list, as written."""
    return tuple(_lines(name))


@cache
def folded(name: str) -> tuple[str, ...]:
    """The entries of a plain list, folded (matching form), longest first."""
    return tuple(sorted({fold(w) for w in _lines(name) if fold(w)}, key=lambda w: (-len(w), w)))


@cache
def roles(name: str) -> tuple[tuple[str, str], ...]:
    """("role", folded words) pairs of a "role: words" list, in file order."""
    out = []
    for line in _lines(name):
        role, sep, value = line.partition(":")
        if not sep or not fold(value):
            raise WordListError(f"{DATA_DIR / name}: expected 'role: words', got {line!r}")
        out.append((role.strip(), fold(value)))
    return tuple(out)


@cache
def sections(name: str) -> dict[str, tuple[str, ...]]:
    """The entries of a list split in [section]s, as written."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in _lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            out.setdefault(current, [])
        elif not current:
            raise WordListError(f"{DATA_DIR / name}: {line!r} comes before any [section]")
        else:
            out[current].append(line)
    return {k: tuple(v) for k, v in out.items()}
