"""`tf.audio`: DecodeWav and EncodeWav (16-bit PCM WAV files, as TF's wav_io)."""

from __future__ import annotations

import collections
import struct

import numpy as np

from tfgraph import errors
from tfgraph.framework.registry import register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op, op_output

__all__ = ["decode_wav", "encode_wav"]

# What TF's generated decode_wav returns: a namedtuple named after the op.
DecodeWavOutput = collections.namedtuple("DecodeWav", ["audio", "sample_rate"])  # type: ignore[name-match]


class _Reader:
    """Reads the little-endian fields of a WAV file, failing as TF's wav_io does."""

    def __init__(self, op, data: bytes) -> None:
        self.op, self.data, self.pos = op, data, 0

    def fail(self, message: str):
        raise errors.InvalidArgumentError(None, self.op, message)

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):  # (TF's message, for values too)
            self.fail("Data too short when trying to read string")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def expect(self, tag: bytes) -> None:
        found = self.take(len(tag))
        if found != tag:
            self.fail(
                f"Header mismatch: Expected {tag.decode()} but found {found.decode('latin-1')}"
            )

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def u16(self) -> int:
        return struct.unpack("<H", self.take(2))[0]


def _parse_wav(op, data: bytes) -> tuple[np.ndarray, int]:
    """(int16 samples [frames, channels], sample rate) of a 16-bit PCM WAV file."""
    r = _Reader(op, data)
    r.expect(b"RIFF")
    r.u32()
    r.expect(b"WAVE")
    r.expect(b"fmt ")
    fmt_size = r.u32()
    if fmt_size != 16 and fmt_size != 18:
        r.fail(f"Bad format chunk size for WAV: Expected 16 or 18, but got {fmt_size}")
    audio_format = r.u16()
    if audio_format != 1:
        r.fail(f"Bad audio format for WAV: Expected 1 (PCM), but got{audio_format}")
    channels = r.u16()
    if channels < 1:
        r.fail("Bad number of channels for WAV file: 0")
    sample_rate = r.u32()
    r.u32()  # byte rate
    r.u16()  # block align
    bits = r.u16()
    if bits != 16:
        r.fail(f"Can only read 16-bit WAV files, but received {bits}")
    if fmt_size == 18:
        r.take(2)
    while True:
        chunk = r.take(4)
        size = r.u32()
        if chunk == b"data":
            raw = r.take(size)
            frames = len(raw) // (2 * channels)
            samples = np.frombuffer(raw[: frames * 2 * channels], dtype="<i2")
            return samples.reshape(frames, channels), sample_rate
        r.take(size + (size & 1))


def _decode_wav_kernel(op, ctx):
    want_channels = op._attrs["desired_channels"]
    want_samples = op._attrs["desired_samples"]

    def kernel(contents):
        samples, rate = _parse_wav(op, bytes(np.asarray(contents).item()))
        audio = samples.astype(np.float32) / 32768.0
        if want_channels > 0 and want_channels != audio.shape[1]:
            if want_channels < audio.shape[1]:
                audio = audio[:, :want_channels]
            else:  # (extra channels repeat the last one, as TF's decoder)
                extra = np.repeat(audio[:, -1:], want_channels - audio.shape[1], axis=1)
                audio = np.concatenate([audio, extra], axis=1)
        if want_samples > 0 and want_samples != audio.shape[0]:
            if want_samples < audio.shape[0]:
                audio = audio[:want_samples]
            else:
                pad = np.zeros((want_samples - audio.shape[0], audio.shape[1]), np.float32)
                audio = np.concatenate([audio, pad])
        return np.ascontiguousarray(audio, np.float32), np.int32(rate)

    return kernel


def _decode_wav_shape(op):
    samples = op._attrs["desired_samples"]
    channels = op._attrs["desired_channels"]
    return [
        TensorShape([samples if samples > 0 else None, channels if channels > 0 else None]),
        TensorShape([]),
    ]


register_op(
    "DecodeWav",
    inputs=["contents: string"],
    outputs=["audio: float", "sample_rate: int32"],
    attrs=["desired_channels: int = -1", "desired_samples: int = -1"],
    shape=_decode_wav_shape,
    make_kernel=_decode_wav_kernel,
)


def _encode_wav_kernel(op, ctx):
    def kernel(audio, sample_rate):
        audio = np.asarray(audio, np.float32)
        if audio.ndim != 2:
            raise errors.InvalidArgumentError(
                None, op, f"audio must be 2-dimensional [samples, channels], got {audio.ndim}"
            )
        rate = int(np.asarray(sample_rate))
        channels = audio.shape[1]
        pcm = np.clip(np.round(audio.astype(np.float64) * 32768.0), -32768, 32767)
        data = pcm.astype("<i2").tobytes()
        header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
        header += b"fmt " + struct.pack(
            "<IHHIIHH", 16, 1, channels, rate, rate * channels * 2, channels * 2, 16
        )
        return np.array(header + b"data" + struct.pack("<I", len(data)) + data, dtype=object)

    return kernel


register_op(
    "EncodeWav",
    inputs=["audio: float", "sample_rate: int32"],
    outputs=["contents: string"],
    attrs=[],
    shape=lambda op: [TensorShape([])],
    make_kernel=_encode_wav_kernel,
)


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """(audio [samples, channels] float32 in [-1, 1), sample_rate) of a 16-bit PCM WAV."""
    op = apply_op(
        "DecodeWav",
        name,
        [contents],
        {"desired_channels": int(desired_channels), "desired_samples": int(desired_samples)},
    )
    return DecodeWavOutput(op._outputs[0], op._outputs[1])


def encode_wav(audio, sample_rate, name=None):
    """A 16-bit PCM WAV file (a string scalar) of `audio` [samples, channels]."""
    return op_output("EncodeWav", name, [audio, sample_rate])
