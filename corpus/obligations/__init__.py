"""Obligations in plans: who leads, who supports, what, by when — with verbatim quotes and line spans."""

from __future__ import annotations

from corpus.obligations.deadlines import Deadline, find_deadlines, parse_deadline
from corpus.obligations.export import summary, timeline_png, to_csv, to_ics, to_json, to_table
from corpus.obligations.extract import Obligation, extract_corpus, extract_obligations, extract_plan
from corpus.obligations.filters import due_between, filter_obligations, parse_user_date, parse_user_month

__all__ = [
    "Deadline",
    "Obligation",
    "due_between",
    "extract_corpus",
    "extract_obligations",
    "extract_plan",
    "filter_obligations",
    "find_deadlines",
    "parse_deadline",
    "parse_user_date",
    "parse_user_month",
    "summary",
    "timeline_png",
    "to_csv",
    "to_ics",
    "to_json",
    "to_table",
]
