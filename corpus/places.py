"""Vietnam's administrative units, from the mapping underthesea ships (underthesea/address/data/mapping.json,
source vietnamadminunits, effective 2025-07-01): provinces and centrally governed cities, communes, wards and
special zones after the 2025 reorganisation, and the names they replaced. The one list of place names."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from corpus.text import fold, nfc

LEVELS = {"tinh": "tỉnh", "thanh pho": "thành phố", "xa": "xã", "phuong": "phường", "dac khu": "đặc khu",
          "huyen": "huyện", "quan": "quận", "thi xa": "thị xã", "thi tran": "thị trấn"}
PROVINCE_LEVELS = ("tỉnh", "thành phố")
COMMUNE_LEVELS = ("xã", "phường", "đặc khu")  # the units under a province since the 2025 reorganisation


@dataclass(frozen=True)
class Place:
    """One administrative unit: its level ("tỉnh", "xã" …), its name with diacritics, and its province."""

    level: str
    name: str
    province: str  # the province or city it lies in (itself for a province); "" when unknown
    current: bool  # a unit that exists after 1 July 2025 (False: a name it replaced)


@cache
def _split(full: str) -> tuple[str, str]:
    """("tỉnh", "Đắk Lắk") from "Tỉnh Đắk Lắk"."""
    f = fold(full)
    for key in sorted(LEVELS, key=len, reverse=True):
        if f.startswith(key + " "):
            words = nfc(full).split()
            n = len(key.split())
            return LEVELS[key], " ".join(words[n:])
    return "", nfc(full)


def _mapping_path() -> Path:
    from importlib.util import find_spec

    # Located without importing underthesea (its import takes seconds).
    spec = find_spec("underthesea")
    if spec is None or spec.origin is None:
        raise ImportError("underthesea is not installed")
    return Path(spec.origin).resolve().parent / "address" / "data" / "mapping.json"


@cache
def _fold(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """Every unit of the mapping, current ones first."""
    try:
        data = json.loads(_mapping_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, ImportError):
        return ()
    seen: dict[tuple[str, str, str], Place] = {}

    def add(full: str, province_full: str, current: bool) -> None:
        if not full:
            return
        level, name = _split(full)
        province = _split(province_full)[1] if province_full else ""
        key = (level, _fold(name), _fold(province))
        if key not in seen or (current and not seen[key].current):
            seen[key] = Place(level, name, province, current)

    for rec in data.get("ward_mapping", []):
        add(rec.get("new_province", ""), rec.get("new_province", ""), True)
        add(rec.get("new_ward", ""), rec.get("new_province", ""), True)
        add(rec.get("old_province", ""), rec.get("old_province", ""), False)
        add(rec.get("old_district", ""), rec.get("old_province", ""), False)
        add(rec.get("old_ward", ""), rec.get("old_province", ""), False)
    return tuple(sorted(seen.values(), key=lambda p: (not p.current, p.level not in PROVINCE_LEVELS, p.name)))


@lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[Place, ...]]:
    out: dict[str, list[Place]] = {}
    for p in places():
        out.setdefault(_fold(p.name), []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def lookup(name: str, level: str = "") -> tuple[Place, ...]:
    """Units with this name (accents optional), of this level when given; current ones first."""
    found = _by_name().get(fold(name), ())
    if level:
        found = tuple(p for p in found if p.level == level) or (
            tuple(p for p in found if p.level in PROVINCE_LEVELS) if level in PROVINCE_LEVELS else ())
    return found


def spelled(name: str, level: str = "") -> str:
    """The name with its diacritics as the gazetteer writes it ("DAK LAK" -> "Đắk Lắk"), else title case."""
    found = lookup(name, level)
    if found:
        return found[0].name
    return " ".join(w[:1].upper() + w[1:].lower() for w in nfc(name).split())


def province_of(name: str, level: str) -> str:
    """The province a commune, ward or special zone lies in, when the name is unique at that level."""
    if level in PROVINCE_LEVELS:
        return spelled(name, level)
    provinces = {p.province for p in lookup(name, level) if p.current} or {p.province for p in lookup(name, level)}
    return next(iter(provinces)) if len(provinces) == 1 else ""
