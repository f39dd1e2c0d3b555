"""Answerers turn scored sentences into an Answer: extractive (default, offline) or an OpenAI-compatible LLM."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assistant.extract import heading_date, short_answer
from assistant.query import Analysis
from assistant.scoring import DATE_WORDS, Candidate
from assistant.types import Answer, Citation
from corpus.records import PlanMeta
from corpus.text import collapse, fold


class AnswererError(RuntimeError):
    """An answerer cannot be created or failed."""


NOT_FOUND = {"vi": "Không tìm thấy trong các kế hoạch câu trả lời cho câu hỏi này.",
             "en": "Not found in the plans: none of them answers this question."}
ABSTAIN_LEX = 0.5
PER_PLAN_LEX = 0.8


def lang_key(language: str) -> str:
    """Answer language: English for English questions, Vietnamese otherwise."""
    return "en" if language == "en" else "vi"


def plan_label(meta: PlanMeta | None, language: str) -> str:
    """"phường Dương Kinh (49/KH-UBND)" or "Dương Kinh ward (Plan 49/KH-UBND)"."""
    if meta is None:
        return ""
    number = meta.number if meta.number and meta.number[0].isdigit() else ""
    if lang_key(language) == "en":
        level = {"phường": "ward", "xã": "commune", "tỉnh": "province"}.get(meta.level, meta.level)
        return f"{meta.locality} {level}" + (f" (Plan {number})" if number else "")
    return meta.label + (f" (Kế hoạch {number})" if number else "")


def to_citation(cand: Candidate, meta: PlanMeta | None) -> Citation:
    """A verbatim citation of a candidate sentence."""
    restored = collapse(cand.sentence.restored)
    raw = collapse(cand.sentence.raw)
    return Citation(doc=cand.chunk.doc, lines=(cand.sentence.line_start, cand.sentence.line_end), quote=raw,
                    heading=cand.chunk.heading, plan_id=cand.chunk.plan_id,
                    locality=meta.label if meta else cand.locality, restored="" if restored == raw else restored)


class Answerer(ABC):
    """Writes the answer from candidate sentences (best first)."""

    name = ""

    @abstractmethod
    def answer(self, analysis: Analysis, candidates: Sequence[Candidate], plans: Mapping[str, PlanMeta]) -> Answer:
        """An Answer whose citations all come from `candidates`."""


_REGISTRY: dict[str, Callable[..., Answerer]] = {}


def register(name: str) -> Callable[[Callable[..., Answerer]], Callable[..., Answerer]]:
    """Class decorator: make an answerer available by name."""
    def wrap(factory: Callable[..., Answerer]) -> Callable[..., Answerer]:
        _REGISTRY[name] = factory
        return factory
    return wrap


def get_answerer(name: str, **options: Any) -> Answerer:
    """Create an answerer by name; an unknown name lists the known ones."""
    if name not in _REGISTRY:
        raise AnswererError(f"Unknown answerer {name!r}. Known answerers: {', '.join(sorted(_REGISTRY))}.")
    return _REGISTRY[name](**options)


_HOW_MANY = re.compile(r"\b(bao nhieu|how many|how much|so luong bao nhieu|what percentage|what share|"
                       r"what proportion|muc bao nhieu|ty le bao nhieu)\b")
_NUMBER_WORD = re.compile(r"(?<![^\W_]|[/-])\d+(?:[.,]\d+)?(?![^\W\d_]|[\d/-])")
_PERCENT = re.compile(r"\b(phan tram|percentage|percent|what share|what proportion)\b|%")


def asked_count(analysis: Analysis) -> str:
    """"percent" or "number" when the question asks how many / what percentage, else ""."""
    probe = f"{fold(analysis.effective)} {analysis.effective.lower()}"
    if (_PERCENT.search(probe) and _HOW_MANY.search(probe)) or re.search(r"\bbao nhieu phan tram\b", probe):
        return "percent"
    return "number" if _HOW_MANY.search(probe) else ""


def states_count(asked: str, cand: Candidate) -> bool:
    """Whether a sentence can answer a question that asks for `asked` (see asked_count)."""
    # The restored reading: OCR puts digits inside words ("T6" for "Tổ") that are not numbers.
    text = cand.sentence.restored
    if asked == "percent":
        return "%" in text
    if asked == "number":
        return bool(_NUMBER_WORD.search(text))
    return True


_TYPED = {"number", "percent", "date", "code"}


def asked_answer(analysis: Analysis, cand: Candidate) -> str:
    """short_answer for what the question asks (its wanted types, and what a "how many" counts)."""
    return short_answer(analysis.wants, cand, analysis.counted, analysis.count_lead)


def select(analysis: Analysis, candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    """Supporting sentences grouped by plan (one group unless the question spans plans); [] to abstain."""
    if not candidates or analysis.unknown_place:
        return []
    everything = list(candidates)
    asked = asked_count(analysis)
    candidates = [c for c in candidates if states_count(asked, c)]
    if not candidates:
        return []
    best = candidates[0]
    wants_entity = any("/" in e or "-" in e for e in analysis.entities)
    if wants_entity and not best.entity:
        return []
    if not best.entity and best.lex < ABSTAIN_LEX:
        return []
    by_plan: dict[str, list[Candidate]] = {}
    for cand in candidates:
        by_plan.setdefault(cand.chunk.plan_id, []).append(cand)
    groups: list[list[Candidate]] = []
    for plan_id, cands in by_plan.items():
        top = cands[0]
        if plan_id != best.chunk.plan_id:
            if analysis.plan_ids and (len(analysis.plan_ids) < 2 or plan_id not in analysis.plan_ids):
                continue
            if wants_entity and not top.entity:
                continue
            if analysis.per_plan and not wants_entity:
                # Each plan was searched on its own: judge its best sentence by how much of the question it
                # covers, not against the other plans' scores (dense similarity favours clean text).
                if top.lex < max(ABSTAIN_LEX, PER_PLAN_LEX * best.lex):
                    continue
            elif not wants_entity and (top.score < 0.85 * best.score or top.lex < ABSTAIN_LEX):
                continue
        chosen = [top]
        if "date" in analysis.wants and not DATE_WORDS.search(fold(top.sentence.restored)):
            # "a) Hoàn thành rà soát …" is often followed by "Thời gian hoàn thành: tháng 9/2025".
            follow = next((c for c in everything if c.chunk is top.chunk and c.sentence.line_start >= top.sentence.line_end
                           and c.sentence.line_start <= top.sentence.line_end + 3
                           and DATE_WORDS.search(fold(c.sentence.restored))), None)
            if follow is not None:
                chosen.append(follow)
                groups.append(chosen)
                continue
        # A second sentence backs the first up when the first may be the wrong one; when the first already
        # holds what the question asks for (its number, date, code, unit), a second only restates it.
        answered = bool(set(analysis.wants) & _TYPED) and bool(asked_answer(analysis, top))
        for extra in ([] if answered else cands[1:3]):
            if extra.score >= 0.92 * top.score and (extra.entity or not wants_entity) \
                    and extra.sentence.line_start != top.sentence.line_start:
                chosen.append(extra)
                break
        groups.append(chosen)
    return groups


@register("extractive")
class ExtractiveAnswerer(Answerer):
    """No LLM: answers with the plans' own sentences, a short answer first, every sentence cited."""

    name = "extractive"

    def __init__(self, **_: Any) -> None:
        pass

    def answer(self, analysis: Analysis, candidates: Sequence[Candidate], plans: Mapping[str, PlanMeta]) -> Answer:
        """Compose the answer text from the selected sentences."""
        lang = lang_key(analysis.language)
        groups = select(analysis, candidates)
        if not groups:
            return self._abstain(analysis, candidates, plans)
        citations: list[Citation] = []
        parts: list[tuple[str, str, str]] = []
        for group in groups:
            meta = plans.get(group[0].chunk.plan_id)
            quotes = []
            for cand in group:
                citations.append(to_citation(cand, meta))
                quotes.append(f"“{collapse(cand.sentence.restored)}” [{len(citations)}]")
            short = next((a for a in (asked_answer(analysis, c) for c in reversed(group))
                          if a), "") if "date" in analysis.wants else asked_answer(analysis, group[0])
            if "date" in analysis.wants and not any(short_answer(("date",), c) for c in group):
                # The period is often the section's own heading ("1. Đến hết năm 2025").
                period = heading_date(group[0].chunk.heading_path)
                short = f"{period}; {short}" if short and period else (period or short)
            label = plan_label(meta, analysis.language)
            lead = f"{short} — " if short else ""
            parts.append((lead, label, " ".join(quotes)))
        if len(parts) == 1:
            lead, label, joined = parts[0]
            intro = "According to" if lang == "en" else "Theo kế hoạch của"
            text = f"{lead}{intro} {label}: {joined}"
        else:
            head = (f"{len(parts)} plans answer this:" if lang == "en"
                    else f"Có {len(parts)} kế hoạch trả lời câu hỏi này:")
            text = head + "\n" + "\n".join(f"- {lb}: {ld}{qs}" for ld, lb, qs in parts)
        return Answer(question=analysis.question, answer=text, abstained=False, citations=tuple(citations),
                      language=analysis.language, effective_question=analysis.effective)

    def _abstain(self, analysis: Analysis, candidates: Sequence[Candidate],
                 plans: Mapping[str, PlanMeta]) -> Answer:
        lang = lang_key(analysis.language)
        text = NOT_FOUND[lang]
        if analysis.unknown_place:
            text += (f" The corpus has no plan for {analysis.unknown_place}." if lang == "en"
                     else f" Kho chưa có kế hoạch nào của {analysis.unknown_place}.")
        related: list[Citation] = []
        seen: set[tuple[str, int]] = set()
        for cand in candidates:
            key = (cand.chunk.doc, cand.sentence.line_start)
            if key not in seen and len(cand.sentence.raw.split()) >= 5:
                seen.add(key)
                related.append(to_citation(cand, plans.get(cand.chunk.plan_id)))
            if len(related) == 3:
                break
        if related:
            text += " Related passages:" if lang == "en" else " Các đoạn liên quan gần nhất (để tham khảo):"
        return Answer(question=analysis.question, answer=text, abstained=True, related=tuple(related),
                      language=analysis.language, effective_question=analysis.effective)


@register("openai")
class OpenAIAnswerer(Answerer):
    """A generative answer from an OpenAI-compatible endpoint, grounded in and citing the same sentences."""

    name = "openai"

    def __init__(self, llm_url: str = "", llm_model: str = "", llm_api_key: str = "", **_: Any) -> None:
        if not llm_url:
            raise AnswererError("The openai answerer needs an endpoint: set PLANS_LLM_URL (e.g. "
                                "http://127.0.0.1:8000/v1) and PLANS_LLM_MODEL, or use PLANS_ANSWERER=extractive.")
        self.url = llm_url.rstrip("/") + "/chat/completions"
        self.model = llm_model or "default"
        self.key = llm_api_key
        self.fallback = ExtractiveAnswerer()

    def answer(self, analysis: Analysis, candidates: Sequence[Candidate], plans: Mapping[str, PlanMeta]) -> Answer:
        """Ask the LLM to answer only from the extractive citations; keep those citations."""
        base = self.fallback.answer(analysis, candidates, plans)
        if base.abstained:
            return base
        sources = "\n".join(f"[{i}] ({c.locality}) {c.restored or c.quote}" for i, c in enumerate(base.citations, 1))
        lang = "English" if analysis.language == "en" else "Vietnamese"
        body = {"model": self.model, "temperature": 0,
                "messages": [{"role": "system", "content": f"Answer in {lang} using only the numbered sources; "
                              "cite them as [n]. If they do not answer, say so."},
                             {"role": "user", "content": f"Sources:\n{sources}\n\nQuestion: {analysis.effective}"}]}
        request = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"),
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {self.key}"} if self.key else {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = json.loads(response.read())["choices"][0]["message"]["content"]
        except (urllib.error.URLError, KeyError, ValueError, TimeoutError) as exc:
            raise AnswererError(f"The LLM endpoint {self.url} failed: {exc}. Check PLANS_LLM_URL, or use "
                                "PLANS_ANSWERER=extractive.") from exc
        return Answer(question=base.question, answer=str(text).strip(), abstained=False, citations=base.citations,
                      language=base.language, effective_question=base.effective_question)
