"""The one base class of every error shown to users."""

from __future__ import annotations


class PlansError(Exception):
    """An error a user sees: its message says what went wrong, with the numbers, and what to run next."""
