"""Plan metadata: read from each plan's header (corpus.header); corpus/manifest.toml only overrides fields."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from corpus.errors import PlansError
from corpus.header import missing_fields, read_header
from corpus.records import PlanMeta
from corpus.text import fold


class ManifestError(PlansError, ValueError):
    """The manifest file is malformed."""


@dataclass(frozen=True)
class Manifest:
    """Overrides by file name: only the fields an entry sets."""

    plans: dict[str, dict[str, Any]]
    problems: tuple[str, ...] = ()  # entries that were ignored, and why

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
    problems: list[str] = []
    # One entry's mistake is that entry's problem: it is ignored with the reason, the other entries still apply.
    for i, entry in enumerate(data.get("plan", []), start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("doc"), str):
            problems.append(f"{path}: [[plan]] entry {i} ignored: it has no 'doc' (the file name in the corpus "
                            "folder)")
            continue
        values = {("plan_id" if k == "id" else k): v for k, v in entry.items()}
        unknown = set(values) - known
        if unknown:
            problems.append(f"{path}: [[plan]] entry {i} ({entry['doc']}) ignored: unknown keys {sorted(unknown)}; "
                            f"known: {sorted(known - {'plan_id'} | {'id'})}")
            continue
        lists = ("aliases", "implements")
        bad = [k for k, v in values.items() if not (isinstance(v, list) if k in lists else isinstance(v, str))]
        if bad:
            problems.append(f"{path}: [[plan]] entry {i} ({entry['doc']}) ignored: {', '.join(sorted(bad))} must "
                            f"be {'lists of ' if set(bad) <= set(lists) else ''}text")
            continue
        for key in lists:
            if key in values:
                values[key] = tuple(str(v) for v in values[key])
        plans[entry["doc"]] = values
    return Manifest(plans, tuple(problems))


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
