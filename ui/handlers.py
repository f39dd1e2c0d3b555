"""Event handlers as plain Python over the Assistant; one instance serves every session (state is passed in)."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assistant.query import QuestionError
from assistant.types import Answer, Citation
from ui.exports import Exports
from ui.feedback import FeedbackLimitError, FeedbackLog
from ui.i18n import t
from ui.render import (
    Turn,
    history,
    menu_plans,
    messages,
    parse_ref,
    plain_text,
    plan_label,
    plan_menu,
    stream_prefixes,
)
from ui.source import hint_html, plan_meta_html, plan_text_html, source_html

if TYPE_CHECKING:
    from assistant.service import Assistant, PlanText
    from assistant.settings import Settings
    from corpus.records import PlanMeta

log = logging.getLogger(__name__)

MAX_SHOWN_QUESTION = 400
KEEP_EXPORTS = 48  # recent CSV folders kept
CACHE_SIZE = 256  # recent answers kept (example questions are asked by many sessions)
Selection = tuple[int, str, int]  # (turn, "c" | "r", 1-based number)
Messages = list[dict[str, Any]]


class PlanTexts(Mapping[str, "PlanText"]):
    """The plans' texts by file, read from the index when first shown and a few kept (thousands of plans are
    not all read at start); which plans there are, their metadata and whether they were repaired are known
    without reading any."""

    def __init__(self, load: Callable[[str], PlanText], keep: int = 64) -> None:
        self._load, self._keep = load, keep
        self._plans: dict[str, tuple[PlanMeta, bool]] = {}
        self._kept: OrderedDict[str, PlanText] = OrderedDict()
        self._lock = threading.Lock()

    def reset(self, plans: Sequence[tuple[PlanMeta, bool]]) -> None:
        """Serve these plans ((metadata, repaired) in order); texts read before are forgotten."""
        with self._lock:
            self._plans = {meta.doc: (meta, repaired) for meta, repaired in plans}
            self._kept.clear()

    def summaries(self) -> list[tuple[PlanMeta, bool]]:
        """(metadata, repaired) of every plan, in order, without reading their texts."""
        return list(self._plans.values())

    def __getitem__(self, doc: str) -> PlanText:
        if doc not in self._plans:
            raise KeyError(doc)
        with self._lock:
            if doc in self._kept:
                self._kept.move_to_end(doc)
                return self._kept[doc]
        text = self._load(doc)
        with self._lock:
            self._kept[doc] = text
            while len(self._kept) > self._keep:
                self._kept.popitem(last=False)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._plans))

    def __len__(self) -> int:
        return len(self._plans)

    def __contains__(self, doc: object) -> bool:
        return doc in self._plans


class ChatUI:
    """What the app does on each event; thread-safe (the Assistant is, everything else is read-only)."""

    def __init__(self, assistant: Assistant, settings: Settings, stream_delay: float = 0.02) -> None:
        self.assistant = assistant
        self.feedback = FeedbackLog(settings.feedback_file)
        self.stream_delay = stream_delay
        self._active = 0
        self._active_lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str, tuple[str, ...]], Answer] = OrderedDict()
        self._exports = Exports("plans-found-", KEEP_EXPORTS)
        self.plans: dict[str, PlanMeta] = {}
        self.texts = PlanTexts(assistant.plan_text)
        self.generation = 0  # the assistant's generation these plans were taken from
        self.refresh()

    def refresh(self) -> None:
        """Take the assistant's plans again (after plans were added); the dicts are updated in place, so the
        tabs that share them see the new plans too."""
        summaries = self.assistant.plan_summaries()
        self.generation = self.assistant.generation
        self.plans.clear()
        self.plans.update({m.plan_id: m for m, _ in summaries})
        self.texts.reset(summaries)
        with self._active_lock:
            self._cache.clear()  # answers given before may change with the new plans

    def _answer(self, question: str, plan_id: str, earlier: list[str]) -> Answer:
        """Assistant.ask, remembering recent answers (the same question, filter and history give the same answer)."""
        key = (question, plan_id, tuple(earlier))
        with self._active_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        answer = self.assistant.ask(question, plan=plan_id or None, history=earlier)
        if self.assistant.generation != self.generation:
            self.refresh()  # the assistant took in plans other machines committed (a shared index)
        with self._active_lock:
            self._cache[key] = answer
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return answer

    def plan_choices(self, lang: str, query: str | None = "", keep: str = "") -> list[tuple[str, str]]:
        """The plan filter's choices: all plans, then the plans that match `query` (see match_plans), at most
        MAX_CHOICES of them (a menu of thousands is unusable); `keep` (the plan chosen now) always stays."""
        return plan_menu(self.plans, lang, query, keep)

    def doc_choices(self, lang: str, query: str | None = "", keep: str = "") -> list[tuple[str, str]]:
        """The Plans tab picker: the plan files matching `query` (ui.render.menu_plans), at most MAX_CHOICES,
        by locality and number; `keep` (the file shown now) always stays."""
        metas = {meta.doc: meta for meta, _ in self.texts.summaries()}
        return [(plan_label(meta, lang), meta.doc) for meta in menu_plans(metas, query, keep)]

    def ask(self, question: str, plan: str | None, lang: str, turns: Sequence[Turn] | None,
            ) -> Iterator[tuple[Messages, list[Turn], str]]:
        """Stream one answer: the question with a "searching" line, then the answer growing, then its sources."""
        done = list(turns or [])
        question = (question or "").strip()
        if not question:
            yield messages(done, lang, self.plans), done, ""
            return
        plan_id = plan if plan and plan in self.plans else ""
        shown = question if len(question) <= MAX_SHOWN_QUESTION else question[:MAX_SHOWN_QUESTION] + " …"
        yield messages([*done, Turn(shown, plan_id)], lang, self.plans), done, ""
        answer: Answer | None = None
        error = ""
        with self._active_lock:
            self._active += 1
        try:
            answer = self._answer(question, plan_id, history(done))
        except QuestionError as exc:
            error = str(exc)
        except Exception as exc:  # an answerer/LLM or store failure must not kill the session
            log.exception("ask failed")
            error = f"{type(exc).__name__}: {exc}"
        finally:
            with self._active_lock:
                busy = self._active > 1  # others wait for the Assistant: send the answer whole, at once
                self._active -= 1
        if answer is None:
            done = [*done, Turn(shown, plan_id, error=error)]
            yield messages(done, lang, self.plans), done, ""
            return
        turn = Turn(shown, plan_id, answer)
        prefixes = stream_prefixes(answer.answer, steps=1 if busy else 6)
        for prefix in prefixes[:-1]:
            yield messages([*done, turn], lang, self.plans, partial=prefix), done, ""
            if self.stream_delay and not busy:
                time.sleep(self.stream_delay)
        done = [*done, turn]
        yield messages(done, lang, self.plans), done, ""

    def found_csv(self, lang: str, turns: Sequence[Turn] | None) -> str | None:
        """A CSV of every plan the latest answer found (a "which plans …?" question), else None."""
        from assistant.answerers import plans_found_csv

        answer = turns[-1].answer if turns else None
        if answer is None or not answer.plans_found:
            return None
        path = self._exports.new_dir() / f"{t('found_stem', lang)}.csv"
        path.write_text(plans_found_csv(answer, self.plans), encoding="utf-8-sig")  # BOM: spreadsheets read it
        return str(path)

    def rerender(self, lang: str, turns: Sequence[Turn] | None) -> Messages:
        """The conversation in another interface language."""
        return messages(list(turns or []), lang, self.plans)

    @staticmethod
    def _cited(sel: Selection | None, turns: Sequence[Turn] | None) -> Citation | None:
        if sel is None or not turns:
            return None
        index, kind, n = sel
        if not 0 <= index < len(turns) or turns[index].answer is None:
            return None
        answer = turns[index].answer
        assert answer is not None
        cits = answer.citations if kind == "c" else answer.related
        return cits[n - 1] if 1 <= n <= len(cits) else None

    def source(self, ref: str, lang: str, turns: Sequence[Turn] | None, view: str,
               ) -> tuple[str, Selection | None, bool]:
        """The source panel for a clicked marker: (html, selection, whether a restored/raw toggle applies)."""
        sel = parse_ref(ref)
        html, repaired = self.render_source(sel, lang, turns, view)
        return html, sel if repaired is not None else None, bool(repaired)

    def render_source(self, sel: Selection | None, lang: str, turns: Sequence[Turn] | None,
                      view: str) -> tuple[str, bool | None]:
        """(html, repaired) for a selection; repaired is None when nothing is selected."""
        if sel is None:
            return hint_html(lang), None
        cit = self._cited(sel, turns)
        pt = self.texts.get(cit.doc) if cit else None
        if cit is None or pt is None:
            return hint_html(lang, "source_gone"), None
        return source_html(pt, cit, sel[1], sel[2], view, lang), pt.repaired

    def open_plan(self, sel: Selection | None, turns: Sequence[Turn] | None) -> tuple[str, tuple[int, int] | None]:
        """The plan file and line span to show in the Plans tab for the selected source."""
        cit = self._cited(sel, turns)
        if cit is None or cit.doc not in self.texts:
            return next(iter(self.texts)), None
        return cit.doc, cit.lines

    def plan_view(self, doc: str, view: str, lang: str,
                  highlight: tuple[int, int] | None = None) -> tuple[str, str, bool]:
        """(metadata html, full text html, repaired) for the Plans tab."""
        pt = self.texts.get(doc) or next(iter(self.texts.values()))
        return plan_meta_html(pt, lang), plan_text_html(pt, view, lang, highlight), pt.repaired

    def copy(self, lang: str, turns: Sequence[Turn] | None) -> str:
        """The latest answer with its citations as plain text."""
        if not turns:
            return t("copy_empty", lang)
        return plain_text(turns[-1], lang, self.plans)

    def rate(self, rating: str, comment: str, lang: str, turns: Sequence[Turn] | None,
             session: str = "") -> tuple[str, str]:
        """Record thumbs up/down (+ comment) on the latest answer: (status message, cleared comment)."""
        rated = [(i, tr) for i, tr in enumerate(turns or []) if tr.answer is not None]
        if not rated:
            return t("fb_none", lang), comment
        index, turn = rated[-1]
        assert turn.answer is not None
        try:
            self.feedback.record(turn.answer, rating, comment, session=session, plan=turn.plan or None, turn=index,
                                 ui_language=lang)
        except FeedbackLimitError as exc:
            log.warning("feedback refused: %s", exc)
            return t("fb_limit", lang), comment
        except (OSError, ValueError):
            # The reason (with the server's paths) goes to the server's log, never to the user.
            log.exception("feedback not saved")
            return t("fb_failed", lang), comment
        return t("fb_saved", lang), ""
