"""Plan metadata: read from each plan's header (corpus.header); corpus/manifest.toml only overrides fields."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from corpus.header import missing_fields, read_header
from corpus.records import PlanMeta
from corpus.text import fold


class ManifestError(ValueError):
    """The manifest file is malformed."""


@dataclass(frozen=True)
class Manifest:
    """Overrides by file name: only the fields an entry sets."""

    plans: dict[str, dict[str, Any]]

    def get(self, doc: str) -> dict[str, Any] | None:
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
    plans: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(data.get("plan", []), start=1):
        if "doc" not in entry:
            raise ManifestError(f"{path}: [[plan]] entry {i} has no 'doc' (the file name in the corpus folder).")
        values = {("plan_id" if k == "id" else k): v for k, v in entry.items()}
        unknown = set(values) - known
        if unknown:
            raise ManifestError(f"{path}: [[plan]] entry {i} ({entry['doc']}) has unknown keys "
                                f"{sorted(unknown)}; known: {sorted(known - {'plan_id'} | {'id'})}")
        for key in ("aliases", "implements"):
            if key in values:
                values[key] = tuple(values[key])
        plans[entry["doc"]] = values
    return Manifest(plans)


def resolve_meta(doc: str, lines: Sequence[str], manifest: Manifest,
                 restored: Sequence[str] | None = None) -> tuple[PlanMeta, list[str]]:
    """What the header says (its restored reading when given), with the manifest's fields on top; plus the
    fields still missing."""
    meta = read_header(doc, lines, restored)
    entry = manifest.get(doc)
    if entry:
        meta = replace(meta, **{k: v for k, v in entry.items() if k != "doc"})
    return meta, missing_fields(meta)


def unique_ids(metas: Sequence[PlanMeta]) -> tuple[list[PlanMeta], list[str]]:
    """The same plans with distinct ids (a clash gets "-2", "-3" in file order), and a warning per clash."""
    seen: dict[str, str] = {}
    out: list[PlanMeta] = []
    warnings: list[str] = []
    for meta in metas:
        pid = meta.plan_id or Path(meta.doc).stem
        if pid in seen:
            n = 2
            while f"{pid}-{n}" in seen:
                n += 1
            warnings.append(f"{meta.doc} and {seen[pid]} would both be id {pid!r}; {meta.doc} is {pid}-{n} "
                            f"(set `id` in the manifest to choose)")
            pid = f"{pid}-{n}"
        seen[pid] = meta.doc
        out.append(replace(meta, plan_id=pid))
    return out, warnings


def suggest_entry(meta: PlanMeta) -> str:
    """A TOML [[plan]] table to paste into manifest.toml (to override what the header says)."""
    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = ["[[plan]]", f"doc = {q(meta.doc)}", f"id = {q(meta.plan_id)}"]
    for key in ("kind", "issuer", "level", "locality", "province", "number", "date", "title", "signer"):
        out.append(f"{key} = {q(getattr(meta, key))}")
    for key in ("aliases", "implements"):
        out.append(f"{key} = [{', '.join(q(v) for v in getattr(meta, key))}]")
    return "\n".join(out)


def with_defaults(meta: PlanMeta) -> PlanMeta:
    """Fill the alias list with the unaccented locality so typed spellings always match."""
    aliases = tuple(dict.fromkeys((*meta.aliases, meta.locality, fold(meta.locality).title())))
    return replace(meta, aliases=tuple(a for a in aliases if a))
