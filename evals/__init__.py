"""Evals stage: eval sets, metrics, side-by-side runs, baselines and reports."""

from __future__ import annotations
