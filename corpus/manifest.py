"""The corpus manifest (corpus/manifest.toml) and what can be read from a plan's header."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from corpus.records import PlanMeta
from corpus.text import fold

REQUIRED = ("locality", "level", "number", "date", "title")
_LEVELS = {"tinh": "tỉnh", "xa": "xã", "phuong": "phường", "thanh pho": "thành phố", "huyen": "huyện"}
_DATE = re.compile(r"ngay\s*(\d{1,2})\s*th\w*\s*(\d{1,2})\s*n\w*\s*(\d{4})")
_CODE = re.compile(r"\b(\d{1,4}/(?:QĐ|QD|QP|Qb|QB)-TTg)\b", re.IGNORECASE)


class ManifestError(ValueError):
    """The manifest file is malformed."""


@dataclass(frozen=True)
class Manifest:
    """Plan metadata by file name."""

    plans: dict[str, PlanMeta]

    def get(self, doc: str) -> PlanMeta | None:
        """The manifest entry for a file, if any."""
        return self.plans.get(doc)


def load_manifest(path: Path) -> Manifest:
    """Read manifest.toml; a missing file is an empty manifest."""
    if not path.exists():
        return Manifest({})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}. Fix the TOML syntax (one [[plan]] table per file).") from exc
    known = {f.name for f in fields(PlanMeta)}
    plans: dict[str, PlanMeta] = {}
    for i, entry in enumerate(data.get("plan", []), start=1):
        if "doc" not in entry:
            raise ManifestError(f"{path}: [[plan]] entry {i} has no 'doc' (the file name in corpus/plans/).")
        values = {("plan_id" if k == "id" else k): v for k, v in entry.items()}
        unknown = set(values) - known
        if unknown:
            raise ManifestError(f"{path}: [[plan]] entry {i} ({entry['doc']}) has unknown keys "
                                f"{sorted(unknown)}; known: {sorted(known - {'plan_id'} | {'id'})}")
        for key in ("aliases", "implements"):
            if key in values:
                values[key] = tuple(values[key])
        values.setdefault("plan_id", Path(entry["doc"]).stem)
        plans[entry["doc"]] = PlanMeta(**values)
    return Manifest(plans)


def detect_header(doc: str, lines: tuple[str, ...]) -> PlanMeta:
    """Read what the first lines of a plan say: level, locality, number, date, implemented decisions."""
    head = lines[:25]
    folded = [fold(line) for line in head]
    level = locality = number = date = title = ""
    for line in folded[:6]:
        for key, name in _LEVELS.items():
            m = re.match(rf"^{key}\s+([a-z ]+?)(?:\s+(?:d\w{{0,3}}c\s+l\w*p|cong hoa)\b|$)", line)
            if m:
                level, locality = name, m.group(1).strip().title()
                break
        if level:
            break
    for line in head:
        # Only the "Số: 49/KH-UBND" line: the preamble cites other plans' numbers too.
        m = re.match(r"^\s*S\S{0,2}\s*:\s*(\d*)\s*/\s*KH-\s*UBND", line)
        if m:
            number = f"{m.group(1)}/KH-UBND" if m.group(1) else ""
            break
    for line in folded:
        m = _DATE.search(line)
        if m:
            day, month, year = (int(g) for g in m.groups())
            if 1 <= month <= 12:
                date = f"{year:04d}-{month:02d}-{day:02d}" if 1 <= day <= 31 else f"{year:04d}-{month:02d}"
            else:
                date = f"{year:04d}"
            break
    for i, line in enumerate(folded):
        if line.startswith("ke hoach") and len(line.split()) <= 4:
            parts = [head[i].strip()] if len(line.split()) > 2 else []
            for nxt in head[i + 1:]:
                if not nxt.strip():
                    if parts and len(parts) > (1 if len(line.split()) > 2 else 0):
                        break
                    continue
                parts.append(nxt.strip())
            title = " ".join(parts)
            break
    implements = tuple(dict.fromkeys(
        re.sub(r"(?i)/Q[ĐDPB]-TTG", "/QĐ-TTg", m.group(1)) for line in head for m in _CODE.finditer(line)))
    plan_id = re.sub(r"[^a-z0-9]+", "-", fold(locality)).strip("-") or Path(doc).stem
    return PlanMeta(doc=doc, plan_id=plan_id, level=level, locality=locality, number=number,
                    date=date, title=title, implements=implements,
                    aliases=(fold(locality).title(),) if locality else ())


def resolve_meta(doc: str, lines: tuple[str, ...], manifest: Manifest) -> tuple[PlanMeta, list[str]]:
    """Manifest entry when there is one, else the detected header; plus the fields still missing."""
    entry = manifest.get(doc)
    if entry is not None:
        missing = [key for key in REQUIRED if not getattr(entry, key)]
        return entry, missing
    detected = detect_header(doc, lines)
    missing = ["manifest entry"] + [key for key in REQUIRED if not getattr(detected, key)]
    return detected, missing


def suggest_entry(meta: PlanMeta) -> str:
    """A TOML [[plan]] table to paste into manifest.toml."""
    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = ["[[plan]]", f"doc = {q(meta.doc)}", f"id = {q(meta.plan_id)}"]
    for key in ("issuer", "level", "locality", "province", "number", "date", "title"):
        out.append(f"{key} = {q(getattr(meta, key))}")
    for key in ("aliases", "implements"):
        out.append(f"{key} = [{', '.join(q(v) for v in getattr(meta, key))}]")
    return "\n".join(out)


def with_defaults(meta: PlanMeta) -> PlanMeta:
    """Fill the alias list with the unaccented locality so typed spellings always match."""
    aliases = tuple(dict.fromkeys((*meta.aliases, meta.locality, fold(meta.locality).title())))
    return replace(meta, aliases=tuple(a for a in aliases if a))
