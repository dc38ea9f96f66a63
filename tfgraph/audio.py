"""`tf.audio`: WAV decoding and encoding (re-exports only)."""

from tfgraph.ops.audio_ops import decode_wav, encode_wav

__all__ = ["decode_wav", "encode_wav"]
