"""Index stage: embed chunks, weight their terms, and keep them in Qdrant with a build record."""

from __future__ import annotations
