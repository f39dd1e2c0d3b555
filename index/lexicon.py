"""The index's Vietnamese words embedded with the multilingual model, to map English question words onto them
(no glossary grown from questions): "budget" -> "ngân sách", "election" -> "bầu cử".

Built at ingest from the chunks' word segmentation (words seen at least twice, every syllable a Vietnamese one),
kept beside the index as plain files (lexicon-<build>-<embedder>.json with the words, their counts and the plans
counted, .npy with the vectors), extended incrementally: a plan is counted once, a word is embedded once."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from corpus.text import fold, nfc
from index.embedders import Embedder

LEXICON_VERSION = 2  # what goes in (content words only since 2); part of the index's build record
MIN_COUNT = 2
# How the mapping is read (measured on a 300-pair English-Vietnamese list of administrative words written for
# calibration, evals/lexicon_bench.py): the best word is right about 4 times in 10, and the right one is usually
# within 0.01 of the best; so up to 3 words within that margin are kept, each weighted by its similarity.
MARGIN = 0.01
KEEP = 3
FLOOR, CEIL = 0.86, 0.92  # cosine band mapped to a weight of 0..1
_MARKS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    from corpus import wordlists

    return frozenset(w.lower() for w in wordlists.words("stopwords.txt"))


def _vietnamese(word: str) -> bool:
    """A content word: every syllable a Vietnamese one and at least one marked (loanwords such as "website"
    would attract English words by spelling alone), not a function word ("của", "làm": hubs near every English
    word)."""
    from corpus.repair.syllable import is_valid_syllable

    syllables = word.split()
    if word in _function_words():
        return False
    return bool(syllables) and all(is_valid_syllable(s) for s in syllables) and any(ch in _MARKS for ch in word)


def words_of(segmented: str) -> Iterable[str]:
    """The words of an underthesea segmentation ("giảm_nghèo" -> "giảm nghèo"), lowercased, of 1-3 syllables."""
    for token in segmented.split():
        word = nfc(token.replace("_", " ").strip(".,;:()\"“”'[]")).lower()
        if word and 1 <= len(word.split()) <= 3 and not any(ch.isdigit() for ch in word):
            yield word


def _paths(store_dir: Path, embedder: Embedder, build: str) -> tuple[Path, Path]:
    key = re.sub(r"[^A-Za-z0-9.]+", "_", f"{build}-{embedder.name}-{embedder.version}-v{LEXICON_VERSION}")
    return store_dir / f"lexicon-{key}.json", store_dir / f"lexicon-{key}.npy"


def discard(store_dir: Path, embedder: Embedder, build: str) -> None:
    """Delete a build's lexicon (a rebuild counts every plan's words afresh)."""
    for path in _paths(store_dir, embedder, build):
        path.unlink(missing_ok=True)


@dataclass
class Lexicon:
    """Words (folded keys, accented forms), how often they occur, and the vectors of those embedded."""

    embedder: Embedder | None
    keys: list[str] = field(default_factory=list)
    surfaces: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    forms: dict[str, Counter[str]] = field(default_factory=dict)
    vectors: Any = None  # (len(keys), dim) float32
    sources: set[str] = field(default_factory=set)  # content hashes of the plans whose words are counted
    _query_vectors: dict[str, Any] = field(default_factory=dict)  # English words already embedded

    @classmethod
    def load(cls, store_dir: Path, embedder: Embedder, build: str) -> Lexicon:
        """The lexicon of a build (its collection) beside the index, or an empty one (English questions then use
        the dense side only)."""
        meta_path, vec_path = _paths(store_dir, embedder, build)
        lex = cls(embedder)
        try:
            data = json.loads(meta_path.read_text(encoding="utf-8"))
            vectors = np.load(vec_path)
        except (OSError, ValueError):
            return lex
        lex.keys, lex.surfaces = list(data["keys"]), list(data["surfaces"])
        lex.counts = Counter(data["counts"])
        lex.forms = {k: Counter(v) for k, v in data.get("forms", {}).items()}
        lex.sources = set(data.get("sources", []))
        if lex.keys and len(vectors) == len(lex.keys):
            lex.vectors = vectors.astype(np.float32)
        elif not lex.keys:
            lex.vectors = None  # an empty lexicon is saved as a (0, 1) array: nothing to stack new vectors onto
        else:
            lex.keys, lex.surfaces, lex.vectors = [], [], None
        return lex

    def add(self, segmented_texts: Iterable[str], source: str) -> int:
        """Count the words of one plan's chunks (`source`: its content hash; a plan already counted is not counted
        again, so the lexicon does not depend on how often the index was rebuilt) and embed the words now seen
        often enough; returns how many were embedded."""
        if source in self.sources:
            return 0
        self.sources.add(source)
        self.count(segmented_texts)
        return self.embed_new()

    def count(self, segmented_texts: Iterable[str]) -> None:
        """Count words without marking their plan (the caller marks it: a pass over many plans' chunks at once)."""
        for text in segmented_texts:
            for word in words_of(text):
                key = fold(word)
                if key and _vietnamese(word):
                    self.counts[key] += 1
                    self.forms.setdefault(key, Counter())[word] += 1

    def embed_new(self) -> int:
        """Embed the words now seen often enough and not embedded yet; returns how many."""
        known = set(self.keys)
        new = [k for k, n in self.counts.items() if n >= MIN_COUNT and k not in known]
        if not new or self.embedder is None:
            return 0
        surfaces = [self.forms[k].most_common(1)[0][0] for k in new]
        vectors = np.vstack([self.embedder.embed(surfaces[i:i + 64], "query") for i in range(0, len(surfaces), 64)])
        self.vectors = vectors if self.vectors is None else np.vstack([self.vectors, vectors])
        self.keys += new
        self.surfaces += surfaces
        return len(new)

    def save(self, store_dir: Path, build: str) -> None:
        """Write both files atomically (a crash leaves the previous lexicon)."""
        if self.embedder is None:
            return
        meta_path, vec_path = _paths(store_dir, self.embedder, build)
        store_dir.mkdir(parents=True, exist_ok=True)
        tmp_meta, tmp_vec = meta_path.with_suffix(".json.tmp"), vec_path.with_suffix(".tmp.npy")
        tmp_meta.write_text(json.dumps({"keys": self.keys, "surfaces": self.surfaces, "counts": dict(self.counts),
                                        "forms": {k: dict(v) for k, v in self.forms.items()},
                                        "sources": sorted(self.sources)},
                                       ensure_ascii=False), encoding="utf-8")
        np.save(tmp_vec, (self.vectors if self.vectors is not None else np.zeros((0, 1))).astype(np.float16))
        os.replace(tmp_vec, vec_path)
        os.replace(tmp_meta, meta_path)
        # A store folder holds one build: lexicons of earlier builds or formats are never read again.
        for old in store_dir.glob("lexicon-*"):
            if old not in (meta_path, vec_path) and old.suffix in (".json", ".npy"):
                old.unlink(missing_ok=True)

    def translate_each(self, words: Sequence[str]) -> list[list[tuple[str, float]]]:
        """For each English word or phrase, up to 3 folded Vietnamese words of the index within a small margin
        of the nearest, each with a weight in (0, 1] from its similarity; [] for a word that maps to nothing."""
        if self.vectors is None or not len(self.keys) or self.embedder is None or not words:
            return [[] for _ in words]
        queries = [w for w in words if w.strip()]
        missing = [w for w in dict.fromkeys(queries) if w not in self._query_vectors]
        if missing:
            if len(self._query_vectors) > 5000:
                self._query_vectors.clear()
            self._query_vectors.update(zip(missing, self.embedder.embed(missing, "query"), strict=True))
        sims = np.vstack([self._query_vectors[w] for w in queries]) @ self.vectors.T if queries else []
        rows = iter(sims)
        out: list[list[tuple[str, float]]] = []
        for word in words:
            if not word.strip():
                out.append([])
                continue
            row = next(rows)
            order = np.argsort(row)[::-1][:KEEP]
            best = float(row[order[0]])
            alternatives = []
            for j in order:
                cos = float(row[j])
                weight = min(max((cos - FLOOR) / (CEIL - FLOOR), 0.0), 1.0)
                if cos >= best - MARGIN and weight > 0:
                    alternatives.append((self.keys[j], weight))
            out.append(alternatives)
        return out
