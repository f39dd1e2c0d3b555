"""Trợ lý Kế hoạch: ask Vietnamese government plans, get answers with verbatim citations."""

from __future__ import annotations

__version__ = "0.1.0"
