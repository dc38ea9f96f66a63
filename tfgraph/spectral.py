"""`tf.spectral` (re-exports only): TF1's alias of the FFT ops (the complex transforms;
tfgraph has no real-input transforms or DCT yet)."""

from tfgraph.ops.spectral_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d

__all__ = ["fft", "fft2d", "fft3d", "ifft", "ifft2d", "ifft3d"]
