"""What the "Add plans" tab does: stage uploaded files, show what was read from each (editable), then copy them
into the corpus folder and index them in this process, so the new plans are searchable at once."""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.i18n import t

if TYPE_CHECKING:
    from assistant.settings import Settings
    from corpus.records import PlanMeta
    from ui.handlers import ChatUI

log = logging.getLogger(__name__)

MAX_FILES = 20  # per upload
EDITABLE = ("plan_id", "level", "locality", "number", "date", "title")  # the table's editable columns, in order
Progress = Callable[[str], None]


def safe_name(name: str) -> str:
    """A file name safe to create in the corpus folder: its base name only, letters (any script), digits, dot,
    dash and underscore; no leading dot; at most 100 characters."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    stem, suffix = os.path.splitext(base)
    stem = re.sub(r"[^\w.\-]+", "_", stem, flags=re.UNICODE).strip("._-")[:90] or "plan"
    suffix = re.sub(r"[^\w.]+", "", suffix.lower())[:8]
    return stem + suffix


@dataclass
class Staged:
    """An uploaded file waiting to be indexed: its name in the corpus, its staged copy, what was read."""

    name: str
    path: Path
    sha256: str = ""
    reason: str = ""  # why it will not be indexed; "" when it is ready
    meta: PlanMeta | None = None


class AddPlans:
    """Stages uploads and adds them to the index; one addition at a time (the index has one writer)."""

    def __init__(self, chat: ChatUI, settings: Settings) -> None:
        self.chat, self.settings = chat, settings
        self.root = Path(tempfile.mkdtemp(prefix="plans-upload-"))
        atexit.register(shutil.rmtree, self.root, True)
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        """The size limit per plan file."""
        return self.settings.max_plan_mb * 1024 * 1024

    def stage(self, files: Sequence[str] | None, say: Progress = lambda _m: None) -> list[Staged]:
        """Copy the uploaded files aside and read each (type, size, text, header): nothing is indexed yet."""
        from corpus.manifest import load_manifest, resolve_meta, with_defaults
        from corpus.reader import PlanFile, read_plan
        from corpus.readers import reader_for, supported_suffixes

        folder = Path(tempfile.mkdtemp(dir=self.root))
        manifest = load_manifest(self.settings.manifest)
        indexed = {e["sha256"]: doc for doc, e in self.chat.assistant.record.plans.items()}
        staged: list[Staged] = []
        for n, upload in enumerate(list(files or [])[:MAX_FILES], start=1):
            source = Path(upload)
            name = safe_name(source.name)
            item = Staged(name=name, path=folder / name)
            staged.append(item)
            say(f"{n}/{min(len(files or []), MAX_FILES)}: {name}")
            if reader_for(item.path) is None:
                item.reason = f"{source.suffix or '(none)'}: {', '.join(supported_suffixes())}"
                continue
            try:
                size = source.stat().st_size
                if size > self.max_bytes:
                    item.reason = f"> {self.settings.max_plan_mb} MB"
                    continue
                shutil.copyfile(source, item.path)
            except OSError:
                log.exception("upload %s unreadable", name)
                item.reason = "?"
                continue
            plan = read_plan(item.path, max_bytes=self.max_bytes, cache_dir=self.settings.store_dir / "extracted",
                             progress=say)
            if not isinstance(plan, PlanFile):
                item.reason = plan.reason
                continue
            item.sha256 = plan.sha256
            if plan.sha256 in indexed:
                item.reason = f"= {indexed[plan.sha256]}"
                continue
            meta, _ = resolve_meta(name, plan.lines, manifest)
            item.meta = with_defaults(meta)
        if len(files or []) > MAX_FILES:
            say(f"only the first {MAX_FILES} files were taken")
        return staged

    def rows(self, staged: Sequence[Staged], lang: str) -> list[list[str]]:
        """The table shown before indexing: file, status, then the editable metadata."""
        out = []
        for item in staged:
            if item.meta is None:
                status = t("add_skip", lang) + ": " + _explain(item.reason, lang)
                out.append([item.name, status] + [""] * len(EDITABLE))
            else:
                out.append([item.name, t("add_ready", lang)] + [str(getattr(item.meta, k)) for k in EDITABLE])
        return out

    def add(self, staged: Sequence[Staged], rows: Sequence[Sequence[Any]], lang: str,
            say: Progress = lambda _m: None) -> str:
        """Copy the ready files into the corpus folder with the edits as manifest entries and index them; on
        failure remove them again and restore the manifest, so the index and the folder are as they were."""
        ready = [(item, row) for item, row in zip(staged, rows, strict=False) if item.meta is not None]
        if not ready:
            return t("add_nothing", lang)
        if not self._lock.acquire(blocking=False):
            return t("add_busy", lang)
        try:
            return self._add(ready, [i for i in staged if i.meta is None], lang, say)
        finally:
            self._lock.release()

    def _add(self, ready: Sequence[tuple[Staged, Sequence[Any]]], skipped: Sequence[Staged], lang: str,
             say: Progress) -> str:
        from corpus.manifest import suggest_entry

        corpus = self.settings.corpus_dir
        corpus.mkdir(parents=True, exist_ok=True)
        manifest = self.settings.manifest
        before = manifest.read_text(encoding="utf-8") if manifest.exists() else None
        placed: list[Path] = []
        entries: list[str] = []
        try:
            for item, row in ready:
                target = _free_path(corpus / item.name)
                shutil.copyfile(item.path, target)
                placed.append(target)
                assert item.meta is not None
                # One line of plain text per field: a newline would break the manifest's TOML.
                values = {k: " ".join(str(v if v is not None else "").split())[:300]
                          for k, v in zip(EDITABLE, list(row)[2:], strict=False)}
                edits = {k: v for k, v in values.items() if v != str(getattr(item.meta, k))}
                if edits:
                    # EDITABLE names only text fields; mypy cannot see that through the dict.
                    edited = replace(item.meta, doc=target.name, **edits)  # type: ignore[arg-type]
                    entries.append(_entry(suggest_entry(edited), set(edits)))
            if entries:
                text = (before or "") + ("\n" if before and not before.endswith("\n") else "")
                manifest.write_text(text + "\n" + "\n\n".join(entries) + "\n", encoding="utf-8")
            report = self.chat.assistant.add_plans(placed, progress=say)
        except Exception as exc:
            for path in placed:
                path.unlink(missing_ok=True)
            if entries:
                if before is None:
                    manifest.unlink(missing_ok=True)
                else:
                    manifest.write_text(before, encoding="utf-8")
            log.exception("adding plans failed")
            return f"{t('add_failed', lang)} ({type(exc).__name__}: {str(exc)[:300]})"
        self.chat.refresh()
        lines = [t("add_done", lang).format(n=len(report.indexed), chunks=report.chunks, s=report.seconds)]
        lines += [f"- ✅ {doc}" for doc in report.indexed]
        lines += [f"- ⚠️ {s.doc}: {s.reason}" for s in report.skipped]
        lines += [f"- ⚠️ {item.name}: {_explain(item.reason, lang)}" for item in skipped]
        lines += [f"- ⚠️ {w}" for w in report.warnings]
        lines += [f"- 🛡️ {doc}:{line}: {why}" for doc, found in report.planted.items() for line, why in found]
        return "\n".join(lines)


def _explain(reason: str, lang: str) -> str:
    """The staging codes in words (a reader's own reason is already a sentence)."""
    if reason.startswith("= "):
        return t("add_dup", lang).format(doc=reason[2:])
    if reason.startswith("> "):
        return t("add_big", lang).format(limit=reason[2:])
    if reason == "?":
        return t("add_unreadable", lang)
    if reason.startswith("."):
        kind, _, known = reason.partition(": ")
        return t("add_type", lang).format(kind=kind, known=known)
    return reason


def _free_path(path: Path) -> Path:
    """path, or path with -2, -3 … before its suffix when a file of that name exists."""
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _entry(full: str, keys: set[str]) -> str:
    """A [[plan]] entry keeping only doc and the edited fields (the id's key is spelt "id")."""
    wanted = {"doc"} | {("id" if k == "plan_id" else k) for k in keys}
    return "\n".join(line for line in full.splitlines()
                     if line == "[[plan]]" or line.split(" = ", 1)[0] in wanted)
