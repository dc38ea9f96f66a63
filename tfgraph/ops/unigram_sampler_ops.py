"""Candidate samplers FixedUnigramCandidateSampler, LearnedUnigramCandidateSampler and
AllCandidateSampler (`tf.nn.*` / `tf.random.*`), as TF's range samplers.

Fixed: weights from `unigrams` or a `vocab_file` (CSV, the count in the last column),
raised to `distortion`, `num_reserved_ids` leading zero weights, only ids of `shard`
out of `num_shards`. Learned: every class starts at weight 1 and each run adds 1 per
true class after drawing. All: the classes 0..num_sampled-1, each counted 1.
Expected counts are p * num_sampled, or with `unique` 1 - (1 - p)**tries. Draws come
from the op's own stream (random_ops.py), not TF's bit for bit.
"""

from __future__ import annotations

import collections

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops.apply import apply_op
from tfgraph.ops.candidate_sampling_ops import _sampler_shape
from tfgraph.ops.random_ops import _SEED_ATTRS, _generator, _seed_attrs

__all__ = [
    "all_candidate_sampler",
    "fixed_unigram_candidate_sampler",
    "learned_unigram_candidate_sampler",
]

_OUTPUTS = [
    "sampled_candidates: int64",
    "true_expected_count: float",
    "sampled_expected_count: float",
]
_BASE_ATTRS = ["num_true: int >= 1", "num_sampled: int >= 1", "unique: bool"]


def _expected(p, n, tries):
    p = np.asarray(p, np.float32)
    if tries == n:
        return (p * np.float32(n)).astype(np.float32)
    return (-np.expm1(np.float32(tries) * np.log1p(-p))).astype(np.float32)


def _draw(rng, weights, n, unique):
    """`n` classes drawn with probabilities weights / sum (distinct ones when `unique`)
    and the number of draws it took."""
    p = np.asarray(weights, np.float64) / np.sum(weights, dtype=np.float64)
    if not unique:
        return rng.choice(len(p), size=n, p=p).astype(np.int64), n
    sampled: list[int] = []
    seen: set[int] = set()
    tries = 0
    while len(sampled) < n:
        for value in rng.choice(len(p), size=2 * (n - len(sampled)), p=p).tolist():
            tries += 1
            if value not in seen:
                seen.add(value)
                sampled.append(value)
                if len(sampled) == n:
                    break
    return np.asarray(sampled, np.int64), tries


def _check_true(op, true_classes, num_true, n, unique, range_):
    if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
        cols = true_classes.shape[-1] if true_classes.ndim else 0
        raise errors.InvalidArgumentError(
            None,
            op,
            f"true_classes must have num_true columns, expected: {cols} was: {num_true}",
        )
    if unique and n > range_:
        raise errors.InvalidArgumentError(None, op, "Sampler's range is too small.")
    bad = true_classes[(true_classes < 0) | (true_classes >= range_)]
    if bad.size:
        raise errors.InvalidArgumentError(
            None, op, f"`true_candidate` out of range [0, {range_}), received {int(bad[0])}"
        )


def _sample(op, rng, weights, true_classes):
    attrs = op._attrs
    num_true, n, unique = attrs["num_true"], attrs["num_sampled"], attrs["unique"]
    true_classes = np.asarray(true_classes)
    _check_true(op, true_classes, num_true, n, unique, len(weights))
    samples, tries = _draw(rng, weights, n, unique)
    total = np.float32(np.sum(weights, dtype=np.float32))
    probability = np.asarray(weights, np.float32) / total
    return (
        samples,
        _expected(probability[true_classes], n, tries),
        _expected(probability[samples], n, tries),
    )


def _read_vocab(op, path, weights, num_shards, shard, distortion):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise errors.NotFoundError(None, op, f"{path}; No such file or directory") from None
    word_id = len(weights)
    for line in lines:
        if word_id % num_shards == shard:
            try:
                w = float(line.split(",")[-1])
            except ValueError:
                raise errors.InvalidArgumentError(
                    None, op, f"Wrong vocabulary format at line: {line}"
                ) from None
            weights.append(w**distortion)
        word_id += 1


def _fixed_weights(op):
    attrs = op._attrs
    vocab_file, unigrams = attrs["vocab_file"], list(attrs["unigrams"])
    if isinstance(vocab_file, bytes):
        vocab_file = vocab_file.decode()
    num_shards, shard, distortion = attrs["num_shards"], attrs["shard"], attrs["distortion"]
    if not vocab_file and not unigrams:
        raise errors.InvalidArgumentError(None, op, "Must provide either vocab_file or unigrams.")
    if vocab_file and unigrams:
        raise errors.InvalidArgumentError(
            None, op, "Must only provide one of vocab_file and unigrams."
        )
    weights = [0.0 for i in range(attrs["num_reserved_ids"]) if i % num_shards == shard]
    if vocab_file:
        _read_vocab(op, vocab_file, weights, num_shards, shard, distortion)
    else:
        word_id = len(weights)
        for w in unigrams:
            if word_id % num_shards == shard:
                weights.append(float(np.float32(w) ** np.float32(distortion)))
            word_id += 1
    if attrs["range_max"] != len(weights):
        raise errors.InvalidArgumentError(
            None, op, f"range is {attrs['range_max']} must be equal to weights size  {len(weights)}"
        )
    return np.asarray(weights, np.float32)


def _fixed_kernel(op, ctx):
    rng = _generator(op, ctx)
    weights = _fixed_weights(op)
    return lambda true_classes: _sample(op, rng, weights, true_classes)


def _learned_kernel(op, ctx):
    rng = _generator(op, ctx)
    range_max = op._attrs["range_max"]

    def fresh():
        return np.ones(range_max, np.int64)

    weights = fresh() if ctx is None else ctx.resources_for(op).state(("unigram", op._name), fresh)

    def kernel(true_classes):
        out = _sample(op, rng, weights, true_classes)
        values = np.asarray(true_classes).reshape(-1)
        room = max(0, min(values.size, 2**31 - 1 - int(weights.sum())))
        np.add.at(weights, values[:room], 1)
        return out

    return kernel


def _all_kernel(op, ctx):
    attrs = op._attrs
    num_true, n = attrs["num_true"], attrs["num_sampled"]

    def kernel(true_classes):
        true_classes = np.asarray(true_classes)
        _check_true(op, true_classes, num_true, n, attrs["unique"], n)
        return (
            np.arange(n, dtype=np.int64),
            np.ones(true_classes.shape, np.float32),
            np.ones(n, np.float32),
        )

    return kernel


_RANGE = ["range_max: int >= 1"]
_FIXED_ATTRS = [
    "vocab_file: string = ''",
    "distortion: float = 1.0",
    "num_reserved_ids: int = 0",
    "num_shards: int >= 1 = 1",
    "shard: int >= 0 = 0",
    "unigrams: list(float) = []",
]
for _op_type, _attrs, _kernel in (
    ("FixedUnigramCandidateSampler", [*_BASE_ATTRS, *_RANGE, *_FIXED_ATTRS], _fixed_kernel),
    ("LearnedUnigramCandidateSampler", [*_BASE_ATTRS, *_RANGE], _learned_kernel),
    ("AllCandidateSampler", _BASE_ATTRS, _all_kernel),
):
    register_op(
        _op_type,
        inputs=["true_classes: int64"],
        outputs=_OUTPUTS,
        attrs=[*_attrs, *_SEED_ATTRS],
        shape=_sampler_shape,
        make_kernel=_kernel,
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )

_SAMPLED = {
    op_type: collections.namedtuple(
        op_type, ["sampled_candidates", "true_expected_count", "sampled_expected_count"]
    )
    for op_type in (
        "FixedUnigramCandidateSampler",
        "LearnedUnigramCandidateSampler",
        "AllCandidateSampler",
    )
}


def _apply(op_type, true_classes, num_true, num_sampled, unique, seed, name, **extra):
    true_classes = convert_to_tensor(true_classes, dtype=dtypes.int64, name="true_classes")
    attrs = {
        "num_true": int(num_true),
        "num_sampled": int(num_sampled),
        "unique": bool(unique),
        **extra,
        **_seed_attrs(seed),
    }
    return _SAMPLED[op_type](*apply_op(op_type, name, [true_classes], attrs)._outputs)


def fixed_unigram_candidate_sampler(
    true_classes,
    num_true,
    num_sampled,
    unique,
    range_max,
    vocab_file="",
    distortion=1.0,
    num_reserved_ids=0,
    num_shards=1,
    shard=0,
    unigrams=(),
    seed=None,
    name=None,
):
    """Samples classes with probabilities proportional to `unigrams` (or the counts in
    `vocab_file`) raised to `distortion`: (sampled_candidates, true_expected_count,
    sampled_expected_count)."""
    return _apply(
        "FixedUnigramCandidateSampler", true_classes, num_true, num_sampled, unique, seed, name,
        range_max=int(range_max), vocab_file=vocab_file, distortion=float(distortion),
        num_reserved_ids=int(num_reserved_ids), num_shards=int(num_shards), shard=int(shard),
        unigrams=[float(u) for u in unigrams],
    )  # fmt: skip


def learned_unigram_candidate_sampler(
    true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None
):
    """Samples classes with probabilities proportional to 1 + the number of times each
    was a true class in earlier runs: (sampled_candidates, true_expected_count,
    sampled_expected_count)."""
    if range_max > 2147483647:
        raise ValueError(f"Value of range_max:{range_max} is too large to handle")
    return _apply(
        "LearnedUnigramCandidateSampler", true_classes, num_true, num_sampled, unique, seed,
        name, range_max=int(range_max),
    )  # fmt: skip


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """All classes 0..num_sampled-1, each with expected count 1 (for testing):
    (sampled_candidates, true_expected_count, sampled_expected_count)."""
    return _apply("AllCandidateSampler", true_classes, num_true, num_sampled, unique, seed, name)
