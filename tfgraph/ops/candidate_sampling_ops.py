"""Candidate samplers (LogUniformCandidateSampler, UniformCandidateSampler) and
ComputeAccidentalHits, for sampled losses (`tf.nn.nce_loss`, `sampled_softmax_loss`).

A sampler draws `num_sampled` classes in [0, range_max) — distinct ones when `unique`
— and gives the expected count of each true and each sampled class under the sampling
(p * num_sampled; with `unique`, 1 - (1 - p)**tries, `tries` being the number of draws
it took). Draws come from the op's own stream (random_ops.py), not TF's bit for bit.
"""

from __future__ import annotations

import collections

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op
from tfgraph.ops.random_ops import _SEED_ATTRS, _generator, _seed_attrs

__all__ = ["compute_accidental_hits", "log_uniform_candidate_sampler", "uniform_candidate_sampler"]

_SAMPLER_ATTRS = [
    "num_true: int >= 1",
    "num_sampled: int >= 1",
    "unique: bool",
    "range_max: int >= 1",
    *_SEED_ATTRS,
]


def _sampler_shape(op):
    true = op._inputs[0]._shape
    batch = None if true._dims is None else true._dims[0]
    n = op._attrs["num_sampled"]
    return [
        TensorShape([n]),
        TensorShape([batch, op._attrs["num_true"]]),
        TensorShape([n]),
    ]


def _log_uniform(range_max: int):
    log_range = np.log(range_max + 1.0)

    def draw(rng, size):
        values = np.floor(np.exp(rng.random(size) * log_range)).astype(np.int64) - 1
        return np.clip(values, 0, range_max - 1)

    def probability(k):
        k = np.asarray(k, np.float64)
        return (np.log(k + 2.0) - np.log(k + 1.0)) / log_range

    return draw, probability


def _uniform(range_max: int):
    def draw(rng, size):
        return rng.integers(0, range_max, size=size, dtype=np.int64)

    def probability(k):
        return np.full(np.shape(k), 1.0 / range_max)

    return draw, probability


def _sampler_kernel(distribution):
    def make(op, ctx):
        rng = _generator(op, ctx)
        attrs = op._attrs
        num_true, n = attrs["num_true"], attrs["num_sampled"]
        unique, range_max = attrs["unique"], attrs["range_max"]
        draw, probability = distribution(range_max)

        def kernel(true_classes):
            true_classes = np.asarray(true_classes)
            if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
                raise errors.InvalidArgumentError(
                    None, op, f"true_classes must be a matrix with {num_true} columns"
                )
            if unique and n > range_max:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    "Sampler's range is too small. Sampler's range_max: "
                    f"{range_max}; num_sampled: {n}",
                )
            if unique:
                sampled: list[int] = []
                seen: set[int] = set()
                tries = 0
                while len(sampled) < n:
                    for value in draw(rng, 2 * (n - len(sampled))).tolist():
                        tries += 1
                        if value not in seen:
                            seen.add(value)
                            sampled.append(value)
                            if len(sampled) == n:
                                break
                samples = np.asarray(sampled, np.int64)
            else:
                samples, tries = draw(rng, n), n

            def expected(k):
                p = probability(k)
                if tries == n:
                    return (p * n).astype(np.float32)
                return (-np.expm1(tries * np.log1p(-p))).astype(np.float32)

            return samples, expected(true_classes), expected(samples)

        return kernel

    return make


for _op_type, _dist in (
    ("LogUniformCandidateSampler", _log_uniform),
    ("UniformCandidateSampler", _uniform),
):
    register_op(
        _op_type,
        inputs=["true_classes: int64"],
        outputs=[
            "sampled_candidates: int64",
            "true_expected_count: float",
            "sampled_expected_count: float",
        ],
        attrs=_SAMPLER_ATTRS,
        shape=_sampler_shape,
        make_kernel=_sampler_kernel(_dist),
        grad=NOT_DIFFERENTIABLE,
        stateful=True,
    )


_SAMPLED = {
    op_type: collections.namedtuple(
        op_type, ["sampled_candidates", "true_expected_count", "sampled_expected_count"]
    )
    for op_type in ("LogUniformCandidateSampler", "UniformCandidateSampler")
}
_HITS = collections.namedtuple(  # type: ignore[name-match]
    "ComputeAccidentalHits", ["indices", "ids", "weights"]
)


def _sampler(op_type: str, true_classes, num_true, num_sampled, unique, range_max, seed, name):
    true_classes = convert_to_tensor(true_classes, dtype=dtypes.int64, name="true_classes")
    attrs = {
        "num_true": int(num_true),
        "num_sampled": int(num_sampled),
        "unique": bool(unique),
        "range_max": int(range_max),
        **_seed_attrs(seed),
    }
    outputs = apply_op(op_type, name, [true_classes], attrs)._outputs
    return _SAMPLED[op_type](*outputs)


def log_uniform_candidate_sampler(
    true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None
):
    """Samples classes with P(k) = log((k + 2) / (k + 1)) / log(range_max + 1) (Zipf-like,
    for classes sorted by decreasing frequency): (sampled_candidates,
    true_expected_count, sampled_expected_count)."""
    return _sampler(
        "LogUniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max,
        seed, name,
    )  # fmt: skip


def uniform_candidate_sampler(
    true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None
):
    """Samples classes uniformly from [0, range_max): (sampled_candidates,
    true_expected_count, sampled_expected_count)."""
    return _sampler(
        "UniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max,
        seed, name,
    )  # fmt: skip


def _accidental_hits_kernel(op, ctx):
    num_true = op._attrs["num_true"]

    def kernel(true_classes, sampled):
        true_classes = np.asarray(true_classes)
        if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
            raise errors.InvalidArgumentError(
                None, op, f"true_classes must be a matrix with {num_true} columns"
            )
        positions: dict[int, list[int]] = {}
        for j, value in enumerate(np.asarray(sampled).tolist()):
            positions.setdefault(value, []).append(j)
        rows, ids = [], []
        for i, row in enumerate(true_classes.tolist()):
            for value in row:
                for j in positions.get(value, ()):
                    rows.append(i)
                    ids.append(j)
        return (
            np.asarray(rows, np.int32),
            np.asarray(ids, np.int64),
            np.full(len(rows), -np.finfo(np.float32).max, np.float32),
        )

    return kernel


register_op(
    "ComputeAccidentalHits",
    inputs=["true_classes: int64", "sampled_candidates: int64"],
    outputs=["indices: int32", "ids: int64", "weights: float"],
    attrs=["num_true: int", *_SEED_ATTRS],
    shape=lambda op: [TensorShape([None])] * 3,
    make_kernel=_accidental_hits_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """The positions (row, sampled index) where a sampled candidate equals one of the
    row's true classes, with weight -FLT_MAX (to add to their logits): (indices, ids,
    weights)."""
    true_classes = convert_to_tensor(true_classes, dtype=dtypes.int64, name="true_classes")
    sampled = convert_to_tensor(sampled_candidates, dtype=dtypes.int64, name="sampled_candidates")
    attrs = {"num_true": int(num_true), **_seed_attrs(seed)}
    outputs = apply_op("ComputeAccidentalHits", name, [true_classes, sampled], attrs)._outputs
    return _HITS(*outputs)
