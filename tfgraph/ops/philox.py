"""TensorFlow's random number generation, bit for bit: the Philox4x32-10 counter-based
generator (TF's `random::PhiloxRandom`) vectorized over blocks, the per-op stream of
TF's stateful random ops (`GuardedPhiloxRandom`: seeded from (seed, seed2), each run
reserving 256 counter steps per output), and TF's conversions of random bits into
uniform, normal (Box-Muller) and truncated normal floats."""

from __future__ import annotations

import math
import struct as _struct
import threading

import numpy as np

__all__ = [
    "PhiloxState",
    "blocks",
    "gamma",
    "normal",
    "shuffle_permutation",
    "truncated_normal",
    "uniform",
    "uniform_int",
]

_M = np.uint64(0xFFFFFFFF)
_MULT_A = np.uint64(0xD2511F53)
_MULT_B = np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK128 = (1 << 128) - 1


def blocks(key: tuple[int, int], counter: int, n: int) -> np.ndarray:
    """Philox4x32-10 outputs for the n counters counter, counter + 1, ...: (n, 4) uint32."""
    return blocks_at(key, counter, np.arange(n, dtype=np.uint64))


_CHUNK = 16384  # blocks per pass: the working arrays (128 KB each) stay in cache
_S32 = np.uint64(32)


def blocks_at(key: tuple[int, int], counter: int, offsets: np.ndarray) -> np.ndarray:
    """Philox4x32-10 outputs for the counters counter + offsets (uint64 offsets, the
    128-bit addition carried): (len(offsets), 4) uint32."""
    idx = np.asarray(offsets, np.uint64).reshape(-1)
    out = np.empty((idx.size, 4), np.uint32)
    for start in range(0, idx.size, _CHUNK):
        _rounds(key, counter, idx[start : start + _CHUNK], out[start : start + _CHUNK])
    return out


def _rounds(key, counter: int, idx: np.ndarray, out: np.ndarray) -> None:
    n = idx.size
    with np.errstate(over="ignore"):
        lo = idx + np.uint64(counter & 0xFFFFFFFFFFFFFFFF)
    hi = np.full(n, np.uint64((counter >> 64) & 0xFFFFFFFFFFFFFFFF))
    carry = lo < idx  # (the low 64 bits wrapped)
    if carry.any():
        with np.errstate(over="ignore"):
            hi += carry
    c0, c1, c2, c3 = lo & _M, lo >> _S32, hi & _M, hi >> _S32
    p0, p1 = np.empty(n, np.uint64), np.empty(n, np.uint64)
    k0, k1 = key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF
    for round_ in range(10):
        np.multiply(c0, _MULT_A, out=p0)
        np.multiply(c2, _MULT_B, out=p1)
        np.right_shift(p1, _S32, out=c0)  # c0 = hi(B * c2) ^ c1 ^ k0
        np.bitwise_xor(c0, c1, out=c0)
        np.bitwise_xor(c0, np.uint64(k0), out=c0)
        np.bitwise_and(p1, _M, out=c1)  # c1 = lo(B * c2)
        np.right_shift(p0, _S32, out=c2)  # c2 = hi(A * c0) ^ c3 ^ k1
        np.bitwise_xor(c2, c3, out=c2)
        np.bitwise_xor(c2, np.uint64(k1), out=c2)
        np.bitwise_and(p0, _M, out=c3)  # c3 = lo(A * c0)
        if round_ < 9:
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = c0, c1, c2, c3


class PhiloxState:
    """One stateful random op's generator in a session (TF's GuardedPhiloxRandom):
    key from `seed`, counter from `seed2`; each run takes the current counter and
    moves it on by 256 per output."""

    __slots__ = ("_counter", "_lock", "key")

    def __init__(self, seed: int, seed2: int) -> None:
        if seed == 0 and seed2 == 0:  # (TF: a random seed pair from the OS)
            seed, seed2 = (int(x) for x in np.random.SeedSequence().generate_state(2, np.uint64))
        seed &= (1 << 64) - 1
        seed2 &= (1 << 64) - 1
        self.key = (seed & 0xFFFFFFFF, seed >> 32)
        self._counter = seed2 << 64
        self._lock = threading.Lock()

    def reserve(self, outputs: int, multiplier: int = 256) -> int:
        """The counter for a run producing `outputs` values (TF's ReserveRandomOutputs)."""
        with self._lock:
            counter = self._counter
            self._counter = (counter + outputs * multiplier) & _MASK128
        return counter


# -- bits to values (TF's random_distributions.h) ---------------------------------------
def _uint32_to_float(x: np.ndarray) -> np.ndarray:
    bits = (x.astype(np.uint32) & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)
    return bits.view(np.float32) - np.float32(1.0)


def _uint64_to_double(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    mhi = (x0.astype(np.uint64) & np.uint64(0xFFFFF)) << np.uint64(32)
    bits = (mhi | x1.astype(np.uint64)) | np.uint64(1023 << 52)
    return bits.view(np.float64) - 1.0


def _f32(x) -> np.ndarray:
    return np.asarray(x, np.float64).astype(np.float32)


def _box_muller_float(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # As TF's C++: float32 arithmetic, but `2.0f * M_PI * u` is a double product (M_PI
    # is a double) rounded to float; logf/sincosf correctly rounded (computed in double,
    # rounded once). About 99% of values are TF's bit for bit, the rest within 1-2 ulp
    # (where glibc's logf/sincosf round differently).
    u1 = np.maximum(_uint32_to_float(x0), np.float32(1.0e-7))
    v1 = _f32(2.0 * np.pi * _uint32_to_float(x1).astype(np.float64))
    u2 = np.sqrt(np.float32(-2.0) * _f32(np.log(u1.astype(np.float64))))
    v64 = v1.astype(np.float64)
    return _f32(np.sin(v64)) * u2, _f32(np.cos(v64)) * u2


def _box_muller_double(x0, x1, x2, x3) -> tuple[np.ndarray, np.ndarray]:
    u1 = np.maximum(_uint64_to_double(x0, x1), 1.0e-7)
    v1 = 2.0 * np.pi * _uint64_to_double(x2, x3)
    u2 = np.sqrt(-2.0 * np.log(u1))
    return np.sin(v1) * u2, np.cos(v1) * u2


def uniform(key, counter: int, n: int, double: bool = False) -> np.ndarray:
    """n uniform values in [0, 1): 4 floats (or 2 doubles) per Philox block."""
    if double:
        b = blocks(key, counter, -(-n // 2))
        out = np.stack(
            [_uint64_to_double(b[:, 0], b[:, 1]), _uint64_to_double(b[:, 2], b[:, 3])], 1
        )
    else:
        out = _uint32_to_float(blocks(key, counter, -(-n // 4)))
    return out.reshape(-1)[:n]


def normal(key, counter: int, n: int, double: bool = False) -> np.ndarray:
    """n standard normal values: Box-Muller on each block's pairs."""
    if double:
        b = blocks(key, counter, -(-n // 2))
        f0, f1 = _box_muller_double(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
        out = np.stack([f0, f1], 1)
    else:
        b = blocks(key, counter, -(-n // 4))
        f0, f1 = _box_muller_float(b[:, 0], b[:, 1])
        f2, f3 = _box_muller_float(b[:, 2], b[:, 3])
        out = np.stack([f0, f1, f2, f3], 1)
    return out.reshape(-1)[:n]


def truncated_normal(key, counter: int, n: int, double: bool = False) -> np.ndarray:
    """n standard normal values below 2 in magnitude. As TF: each group of 4 (2 for
    doubles) outputs has 256 reserved samples' worth of counters; within a group,
    Box-Muller pairs are drawn one 32-bit sample at a time and values outside are
    dropped. Vectorized over the groups' first 4 blocks (enough for all but about one
    group in 10**9, which is finished one sample at a time)."""
    group = 2 if double else 4
    groups = -(-n // group)
    skip = group * 256 // 4
    dtype = np.float64 if double else np.float32
    if groups == 0:
        return np.zeros(0, dtype)
    offsets = (np.arange(groups, dtype=np.uint64)[:, None] * np.uint64(skip)) + np.arange(
        4, dtype=np.uint64
    )
    bits = blocks_at(key, counter, offsets.reshape(-1)).reshape(groups, 16)
    if double:
        f0, f1 = _box_muller_double(bits[:, 0::4], bits[:, 1::4], bits[:, 2::4], bits[:, 3::4])
    else:
        f0, f1 = _box_muller_float(bits[:, 0::2], bits[:, 1::2])
    candidates = np.stack([f0, f1], axis=2).reshape(groups, -1)  # in drawing order
    accepted = np.abs(candidates) < 2.0
    rank = np.cumsum(accepted, axis=1)
    out = np.empty((groups, group), dtype)
    enough = rank[:, -1] >= group
    for k in range(group):
        pick = np.argmax(accepted & (rank == k + 1), axis=1)
        out[:, k] = candidates[np.arange(groups), pick]
    for g in np.flatnonzero(~enough):
        out[g] = _truncated_group(key, counter + int(g) * skip, bits[g], group, double)
    return out.reshape(-1)[:n]


def _truncated_group(key, counter: int, bits: np.ndarray, group: int, double: bool):
    """One output group of TruncatedNormalDistribution over a SingleSampleAdapter."""
    taken: list = []
    position = 0
    stream = list(bits)
    per_pair = 4 if double else 2
    while len(taken) < group:
        while position + per_pair > len(stream):
            stream.extend(blocks(key, counter + len(stream) // 4, 1)[0])
        xs = np.array(stream[position : position + per_pair], np.uint32)
        position += per_pair
        if double:
            f = _box_muller_double(*(xs[i : i + 1] for i in range(4)))
        else:
            f = _box_muller_float(xs[0:1], xs[1:2])
        for value in (f[0][0], f[1][0]):
            if abs(value) < 2.0:
                taken.append(value)
                if len(taken) == group:
                    break
    return np.array(taken)


def uniform_int(key, counter: int, n: int, lo: int, hi: int, bits64: bool) -> np.ndarray:
    """n integers in [lo, hi): lo + (random bits % (hi - lo)), 32 or 64 bits each."""
    span = (hi - lo) & ((1 << 64) - 1 if bits64 else 0xFFFFFFFF)
    if bits64:
        b = blocks(key, counter, -(-n // 2)).astype(np.uint64)
        words = np.stack(
            [b[:, 0] | (b[:, 1] << np.uint64(32)), b[:, 2] | (b[:, 3] << np.uint64(32))], 1
        )
        vals = (words.reshape(-1)[:n] % np.uint64(span)).astype(np.int64)
        return (vals + np.int64(lo)).astype(np.int64)
    b = blocks(key, counter, -(-n // 4)).reshape(-1)[:n].astype(np.uint64)
    vals = (b % np.uint64(span)).astype(np.int64) + lo
    return ((vals + 2**31) % 2**32 - 2**31).astype(np.int32)


def uniform_16bit(key, counter: int, n: int, half: bool) -> np.ndarray:
    """n half (or bfloat16) uniform values in [0, 1) from the low 16 bits of each sample
    (TF's Uint16ToHalf / Uint16ToGfloat16), returned as float32."""
    x = blocks(key, counter, -(-n // 4)).reshape(-1)[:n].astype(np.uint32)
    if half:
        bits = ((x & np.uint32(0x3FF)) | np.uint32(15 << 10)).astype(np.uint16)
        return bits.view(np.float16).astype(np.float32) - np.float32(1.0)
    bits = ((x & np.uint32(0x7F)) | np.uint32(127 << 7)) << np.uint32(16)
    return bits.astype(np.uint32).view(np.float32) - np.float32(1.0)


def shuffle_permutation(key, counter: int, size: int) -> np.ndarray:
    """TF's RandomShuffle order of `size` rows: for i = 0 .. size - 2, swap i with
    i + (next 32-bit sample) % (size - i)."""
    n_samples = max(size - 1, 0)
    samples = blocks(key, counter, -(-n_samples // 4)).reshape(-1)[:n_samples]
    perm = np.arange(size)
    spans = np.arange(size, 1, -1, dtype=np.uint64)
    targets = np.arange(n_samples) + (samples.astype(np.uint64) % spans).astype(np.int64)
    for i, j in enumerate(targets.tolist()):
        perm[i], perm[j] = perm[j], perm[i]
    return perm


def _box_muller_scalar(x0: int, x1: int, x2: int, x3: int) -> tuple[float, float]:
    u1 = max(_u64_to_double_scalar(x0, x1), 1.0e-7)
    v1 = 2.0 * math.pi * _u64_to_double_scalar(x2, x3)
    u2 = math.sqrt(-2.0 * math.log(u1))
    return math.sin(v1) * u2, math.cos(v1) * u2


def _u64_to_double_scalar(x0: int, x1: int) -> float:
    bits = ((x0 & 0xFFFFF) << 32) | x1 | (1023 << 52)
    return _struct.unpack("<d", _struct.pack("<Q", bits))[0] - 1.0


class _GammaStream:
    """One output's draws (TF's RandomGammaOp): double normals and uniforms taken from
    the end of each Philox block's pair, each kind refilled from the next block."""

    __slots__ = ("_blocks", "_counter", "_key", "_next", "_norm", "_uni")

    def __init__(self, key, counter: int, first_blocks: list) -> None:
        self._key, self._counter = key, counter
        self._blocks = first_blocks
        self._next = 0
        self._norm: list = []
        self._uni: list = []

    def _block(self):
        if self._next >= len(self._blocks):
            self._blocks.extend(blocks(self._key, self._counter + self._next, 4).tolist())
        b = self._blocks[self._next]
        self._next += 1
        return b

    def normal(self) -> float:
        if not self._norm:
            self._norm = list(_box_muller_scalar(*self._block()))
        return self._norm.pop()

    def uniform(self) -> float:
        if not self._uni:
            b = self._block()
            self._uni = [_u64_to_double_scalar(b[0], b[1]), _u64_to_double_scalar(b[2], b[3])]
        return self._uni.pop()


def _gamma_one(stream: _GammaStream, alpha: float) -> float:
    if alpha == 1.0:
        return -math.log1p(-stream.uniform())
    below_one = alpha < 1
    d = alpha + (2.0 / 3 if below_one else -1.0 / 3)
    c = 1.0 / 3 / math.sqrt(d)
    while True:
        x = stream.normal()
        v = 1 + c * x
        if v <= 0:
            continue
        v = v * v * v
        u = stream.uniform()
        if (u < 1 - 0.0331 * (x * x) * (x * x)) or (
            math.log(u) < 0.5 * x * x + d * (1 - v + math.log(v))
        ):
            res = d * v
            if below_one:
                res *= math.pow(stream.uniform(), 1 / alpha)
            return res


def gamma(key, counter: int, samples_per_alpha: int, alphas: np.ndarray) -> np.ndarray:
    """TF's RandomGamma draws (float64), shape [samples_per_alpha, len(alphas)]: output
    k = alpha_index * samples_per_alpha + sample_index uses the counters from
    counter + 256 * k (Marsaglia-Tsang from Box-Muller normals and uniforms; alpha < 1
    boosted by uniform ** (1 / alpha); alpha == 1 an exponential)."""
    alphas = np.asarray(alphas, np.float64).reshape(-1)
    n = samples_per_alpha * alphas.size
    out = np.empty((samples_per_alpha, alphas.size), np.float64)
    if n == 0:
        return out
    offsets = np.arange(n, dtype=np.uint64)[:, None] * np.uint64(256) + np.arange(
        2, dtype=np.uint64
    )
    first = blocks_at(key, counter, offsets.reshape(-1)).reshape(n, 2, 4).tolist()
    alpha_list = alphas.tolist()
    for k in range(n):
        a_idx, s_idx = divmod(k, samples_per_alpha)
        stream = _GammaStream(key, counter + 256 * k, first[k])
        out[s_idx, a_idx] = _gamma_one(stream, alpha_list[a_idx])
    return out


def uniform_doubles_single(key, counter: int, n: int) -> np.ndarray:
    """n doubles in [0, 1), each from two consecutive 32-bit samples of one stream (TF's
    SimplePhilox::RandDouble over a SingleSampleAdapter)."""
    words = blocks(key, counter, -(-2 * n // 4)).reshape(-1)[: 2 * n]
    return _uint64_to_double(words[0::2], words[1::2])
