"""Obligations in plans: who leads, who supports, what, by when — with verbatim quotes and line spans."""

from __future__ import annotations

from corpus.obligations.export import summary, timeline_png, to_csv, to_ics, to_json, to_table
from corpus.obligations.extract import Obligation, extract_corpus, extract_obligations, extract_plan
from corpus.obligations.filters import due_between, filter_obligations, parse_user_date, parse_user_month
from corpus.times import TimeExpr, find_deadlines, parse_time

__all__ = [
    "Obligation",
    "TimeExpr",
    "due_between",
    "extract_corpus",
    "extract_obligations",
    "extract_plan",
    "filter_obligations",
    "find_deadlines",
    "parse_time",
    "parse_user_date",
    "parse_user_month",
    "summary",
    "timeline_png",
    "to_csv",
    "to_ics",
    "to_json",
    "to_table",
]
