"""StringToHashBucketFast (FarmHash Fingerprint64), StringToHashBucket (TF's own 64-bit
Murmur-style Hash64) and StringToHashBucketStrong (SipHash-2-4): string -> bucket ids,
written out here so the buckets equal TensorFlow's."""

from __future__ import annotations

import struct

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import op_output

__all__ = [
    "fingerprint",
    "fingerprint64",
    "fingerprint128",
    "string_to_hash_bucket",
    "string_to_hash_bucket_fast",
    "string_to_hash_bucket_strong",
]

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _f64(s: bytes, i: int) -> int:
    return struct.unpack_from("<Q", s, i)[0]


def _f32(s: bytes, i: int) -> int:
    return struct.unpack_from("<I", s, i)[0]


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _MASK


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _len0to16(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = (_K2 + n * 2) & _MASK
        a = (_f64(s, 0) + _K2) & _MASK
        b = _f64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK
        d = ((_rot(a, 25) + b) * mul) & _MASK
        return _len16(c, d, mul)
    if n >= 4:
        mul = (_K2 + n * 2) & _MASK
        a = _f32(s, 0)
        return _len16((n + (a << 3)) & _MASK, _f32(s, n - 4), mul)
    if n > 0:
        a, b, c = s[0], s[n >> 1], s[n - 1]
        y = (a + (b << 8)) & 0xFFFFFFFF
        z = (n + (c << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _len17to32(s: bytes) -> int:
    n = len(s)
    mul = (_K2 + n * 2) & _MASK
    a = (_f64(s, 0) * _K1) & _MASK
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & _MASK
    d = (_f64(s, n - 16) * _K2) & _MASK
    return _len16(
        (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK,
        (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK,
        mul,
    )


def _len33to64(s: bytes) -> int:
    n = len(s)
    mul = (_K2 + n * 2) & _MASK
    a = (_f64(s, 0) * _K2) & _MASK
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & _MASK
    d = (_f64(s, n - 16) * _K2) & _MASK
    y = (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK
    z = _len16(y, (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_f64(s, 16) * mul) & _MASK
    f = _f64(s, 24)
    g = ((y + _f64(s, n - 32)) * mul) & _MASK
    h = ((z + _f64(s, n - 24)) * mul) & _MASK
    return _len16(
        (_rot((e + f) & _MASK, 43) + _rot(g, 30) + h) & _MASK,
        (e + _rot((f + a) & _MASK, 18) + g) & _MASK,
        mul,
    )


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = _f64(s, i), _f64(s, i + 8), _f64(s, i + 16), _f64(s, i + 24)
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(s: bytes) -> int:
    """FarmHash's Fingerprint64 (farmhashna::Hash64) of `s`, as TF's Fingerprint64."""
    n = len(s)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _f64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v0 + _f64(s, i + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rot((y + v1 + _f64(s, i + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w1
        y = (y + v0 + _f64(s, i + 40)) & _MASK
        z = (_rot((z + w0) & _MASK, 33) * _K1) & _MASK
        v0, v1 = _weak32(s, i, (v1 * _K1) & _MASK, (x + w0) & _MASK)
        w0, w1 = _weak32(s, i + 32, (z + w1) & _MASK, (y + _f64(s, i + 16)) & _MASK)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = (_K1 + ((z & 0xFF) << 1)) & _MASK
    i = last64
    w0 = (w0 + ((n - 1) & 63)) & _MASK
    v0 = (v0 + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    x = (_rot((x + y + v0 + _f64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v1 + _f64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w1 * 9) & _MASK
    y = (y + v0 * 9 + _f64(s, i + 40)) & _MASK
    z = (_rot((z + w0) & _MASK, 33) * mul) & _MASK
    v0, v1 = _weak32(s, i, (v1 * mul) & _MASK, (x + w0) & _MASK)
    w0, w1 = _weak32(s, i + 32, (z + w1) & _MASK, (y + _f64(s, i + 16)) & _MASK)
    z, x = x, z
    return _len16(
        (_len16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _MASK,
        (_len16(v1, w1, mul) + x) & _MASK,
        mul,
    )


_KMUL = 0x9DDFEA08EB382D69


def _city_murmur(s: bytes, seed_lo: int, seed_hi: int) -> tuple[int, int]:
    """CityHash128's path for inputs under 128 bytes: (low64, high64)."""
    n = len(s)
    a, b = seed_lo, seed_hi
    if n <= 16:
        a = (_shift_mix((a * _K1) & _MASK) * _K1) & _MASK
        c = (b * _K1 + _len0to16(s)) & _MASK
        d = _shift_mix((a + (_f64(s, 0) if n >= 8 else c)) & _MASK)
    else:
        c = _len16((_f64(s, n - 8) + _K1) & _MASK, a, _KMUL)
        d = _len16((b + n) & _MASK, (c + _f64(s, n - 16)) & _MASK, _KMUL)
        a = (a + d) & _MASK
        i, left = 0, n - 16
        while left > 0:
            a ^= (_shift_mix((_f64(s, i) * _K1) & _MASK) * _K1) & _MASK
            a = (a * _K1) & _MASK
            b ^= a
            c ^= (_shift_mix((_f64(s, i + 8) * _K1) & _MASK) * _K1) & _MASK
            c = (c * _K1) & _MASK
            d ^= c
            i += 16
            left -= 16
    a = _len16(a, c, _KMUL)
    b = _len16(d, b, _KMUL)
    return a ^ b, _len16(b, a, _KMUL)


def _city_chunk(s, i, x, y, z, v, w, mul):
    x = (_rot((x + y + v[0] + _f64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v[1] + _f64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= w[1]
    y = (y + v[0] + _f64(s, i + 40)) & _MASK
    z = (_rot((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak32(s, i, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak32(s, i + 32, (z + w[1]) & _MASK, (y + _f64(s, i + 16)) & _MASK)
    return z, y, x, v, w


def _city128(s: bytes, seed_lo: int, seed_hi: int) -> tuple[int, int]:
    n = len(s)
    if n < 128:
        return _city_murmur(s, seed_lo, seed_hi)
    x, y, z = seed_lo, seed_hi, (n * _K1) & _MASK
    v0 = (_rot(y ^ _K1, 49) * _K1 + _f64(s, 0)) & _MASK
    v = (v0, (_rot(v0, 42) * _K1 + _f64(s, 8)) & _MASK)
    w = (
        (_rot((y + z) & _MASK, 35) * _K1 + x) & _MASK,
        (_rot((x + _f64(s, 88)) & _MASK, 53) * _K1) & _MASK,
    )
    i, left = 0, n
    while True:
        x, y, z, v, w = _city_chunk(s, i, x, y, z, v, w, _K1)
        x, y, z, v, w = _city_chunk(s, i + 64, x, y, z, v, w, _K1)
        i += 128
        left -= 128
        if left < 128:
            break
    x = (x + _rot((v[0] + z) & _MASK, 49) * _K0) & _MASK
    y = (y * _K0 + _rot(w[1], 37)) & _MASK
    z = (z * _K0 + _rot(w[0], 27)) & _MASK
    w = ((w[0] * 9) & _MASK, w[1])
    v = ((v[0] * _K0) & _MASK, v[1])
    done = 0
    while done < left:
        done += 32
        at = i + left - done
        y = (_rot((x + y) & _MASK, 42) * _K0 + v[1]) & _MASK
        w = ((w[0] + _f64(s, at + 16)) & _MASK, w[1])
        x = (x * _K0 + w[0]) & _MASK
        z = (z + w[1] + _f64(s, at)) & _MASK
        w = (w[0], (w[1] + v[0]) & _MASK)
        v = _weak32(s, at, (v[0] + z) & _MASK, v[1])
        v = ((v[0] * _K0) & _MASK, v[1])
    x = _len16(x, v[0], _KMUL)
    y = _len16((y + z) & _MASK, w[0], _KMUL)
    return (
        (_len16((x + v[1]) & _MASK, w[1], _KMUL) + y) & _MASK,
        _len16((x + w[1]) & _MASK, (y + v[1]) & _MASK, _KMUL),
    )


def fingerprint128(s: bytes) -> tuple[int, int]:
    """FarmHash's Fingerprint128 (farmhashcc, = CityHash128 v1.1.1) of `s`, as
    (low64, high64) unsigned ints."""
    if len(s) >= 16:
        return _city128(s[16:], _f64(s, 0), (_f64(s, 8) + _K0) & _MASK)
    return _city128(s, _K0, _K1)


def tf_hash64(s: bytes, seed: int = 0xDECAFCAFFE) -> int:
    """TensorFlow's own Hash64 (core/lib/hash: a 64-bit MurmurHash2 variant)."""
    m = 0xC6A4A7935BD1E995
    n = len(s)
    h = (seed ^ (n * m)) & _MASK
    i = 0
    while n - i >= 8:
        k = (_f64(s, i) * m) & _MASK
        k ^= k >> 47
        k = (k * m) & _MASK
        h ^= k
        h = (h * m) & _MASK
        i += 8
    rest = n - i
    if rest:
        for j in range(rest - 1, -1, -1):
            h ^= s[i + j] << (8 * j)
        h = (h * m) & _MASK
    h ^= h >> 47
    h = (h * m) & _MASK
    h ^= h >> 47
    return h


def siphash24(key0: int, key1: int, s: bytes) -> int:
    """SipHash-2-4 of `s` under the 128-bit key (key0, key1)."""
    v0 = key0 ^ 0x736F6D6570736575
    v1 = key1 ^ 0x646F72616E646F6D
    v2 = key0 ^ 0x6C7967656E657261
    v3 = key1 ^ 0x7465646279746573

    def rounds(v0, v1, v2, v3, count):
        for _ in range(count):
            v0 = (v0 + v1) & _MASK
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _MASK
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)
        return v0, v1, v2, v3

    n = len(s)
    full = n - n % 8
    for i in range(0, full, 8):
        m = _f64(s, i)
        v3 ^= m
        v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
        v0 ^= m
    tail = s[full:] + b"\0" * (7 - n % 8)
    b = ((n & 0xFF) << 56) | int.from_bytes(tail, "little")
    v3 ^= b
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
    v0 ^= b
    v2 ^= 0xFF
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3


def _rotl(v: int, shift: int) -> int:
    return ((v << shift) | (v >> (64 - shift))) & _MASK


def _bucket_kernel(hash_fn):
    def make(op, ctx):
        buckets = int(op._attrs["num_buckets"])
        key = op._attrs.get("key")
        if key is not None:
            key = [int(k) & _MASK for k in key]  # (int64 attrs; SipHash reads them unsigned)

        def kernel(strings):
            arr = np.asarray(strings, dtype=object)
            flat = [
                (hash_fn(bytes(s)) if key is None else siphash24(key[0], key[1], bytes(s)))
                % buckets
                for s in arr.reshape(-1)
            ]
            return np.array(flat, dtype=np.int64).reshape(arr.shape)

        return kernel

    return make


def _bucket_shape(op):
    if int(op._attrs["num_buckets"]) < 1:
        raise ValueError(f"Attr num_buckets has value {op._attrs['num_buckets']} < 1")
    return [op._inputs[0]._shape]


register_op(
    "StringToHashBucketFast",
    inputs=["input: string"],
    outputs=["output: int64"],
    attrs=["num_buckets: int >= 1"],
    shape=_bucket_shape,
    make_kernel=_bucket_kernel(fingerprint64),
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "StringToHashBucket",
    inputs=["string_tensor: string"],
    outputs=["output: int64"],
    attrs=["num_buckets: int >= 1"],
    shape=_bucket_shape,
    make_kernel=_bucket_kernel(tf_hash64),
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "StringToHashBucketStrong",
    inputs=["input: string"],
    outputs=["output: int64"],
    attrs=["num_buckets: int >= 1", "key: list(int)"],
    shape=_bucket_shape,
    make_kernel=_bucket_kernel(None),
    grad=NOT_DIFFERENTIABLE,
)


def string_to_hash_bucket_fast(input, num_buckets, name=None):
    """Each string's FarmHash Fingerprint64 modulo `num_buckets` (int64)."""
    return op_output("StringToHashBucketFast", name, [input], {"num_buckets": int(num_buckets)})


def string_to_hash_bucket(string_tensor=None, num_buckets=None, name=None, input=None):
    """Each string's TF Hash64 modulo `num_buckets` (int64; deprecated in TF for the
    `_fast` version)."""
    if input is not None:
        string_tensor = input
    return op_output("StringToHashBucket", name, [string_tensor], {"num_buckets": int(num_buckets)})


def string_to_hash_bucket_strong(input, num_buckets, key, name=None):
    """Each string's SipHash-2-4 under `key` (two ints) modulo `num_buckets` (int64)."""
    key = [int(k) for k in key]
    if len(key) != 2:
        raise ValueError(f"Key must have 2 elements, got {len(key)}")
    return op_output(
        "StringToHashBucketStrong",
        name,
        [input],
        {"num_buckets": int(num_buckets), "key": key},
    )


# -- Fingerprint ------------------------------------------------------------------------------
def _fingerprint_kernel(op, ctx):
    def kernel(data, method):
        method = bytes(np.asarray(method, dtype=object).reshape(())[()])
        if method != b"farmhash64":
            raise errors.InvalidArgumentError(
                None, op, f"Unsupported fingerprint method: {method.decode(errors='replace')}"
            )
        data = np.asarray(data)
        if data.ndim < 1:
            raise errors.InvalidArgumentError(
                None, op, "`data` should have at least one dimension: []"
            )
        rows = data.shape[0]
        out = np.zeros((rows, 8), np.uint8)
        if data.dtype == object:
            flat = data.reshape(rows, -1)
            for r in range(rows):
                items = [bytes(s) for s in flat[r]]
                if len(items) == 1:
                    value = fingerprint64(items[0])
                else:
                    value = fingerprint64(
                        b"".join(struct.pack("<Q", fingerprint64(s)) for s in items)
                    )
                out[r] = np.frombuffer(struct.pack("<Q", value), np.uint8)
            return out
        little = np.ascontiguousarray(data, dtype=data.dtype.newbyteorder("<")).reshape(rows, -1)
        for r in range(rows):
            value = fingerprint64(little[r].tobytes())
            out[r] = np.frombuffer(struct.pack("<Q", value), np.uint8)
        return out

    return kernel


def _fingerprint_shape(op):
    dims = op._inputs[0]._shape._dims
    if dims is not None and len(dims) < 1:
        raise ValueError("`data` should have at least one dimension")
    return [TensorShape([None if dims is None else dims[0], 8])]


register_op(
    "Fingerprint",
    inputs=["data: T", "method: string"],
    outputs=["fingerprint: uint8"],
    attrs=["T: type"],
    shape=_fingerprint_shape,
    make_kernel=_fingerprint_kernel,
    grad=NOT_DIFFERENTIABLE,
)


def fingerprint(data, method="farmhash64", name=None):
    """A uint8 [rows, 8] fingerprint of each row (along dimension 0) of `data`: FarmHash
    Fingerprint64 of the row's bytes, little-endian."""
    return op_output("Fingerprint", name, [data, method])


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def string_to_hash_bucket_v2(input, num_buckets, name=None):
    """TF2's `tf.strings.to_hash_bucket` (first parameter `input`)."""
    return string_to_hash_bucket(input, num_buckets, name=name)
