"""`tf.signal` (TF1 `tf.compat.v1.signal`; re-exports only): framing, windows, the FFTs
and the real-input FFTs."""

from tfgraph.ops.signal_ops import (
    frame,
    hamming_window,
    hann_window,
    overlap_and_add,
    vorbis_window,
)
from tfgraph.ops.spectral_ops import (
    fft,
    fft2d,
    fft3d,
    fftnd,
    ifft,
    ifft2d,
    ifft3d,
    ifftnd,
    irfft,
    irfft2d,
    irfft3d,
    irfftnd,
    rfft,
    rfft2d,
    rfft3d,
    rfftnd,
)

__all__ = [
    "fft",
    "fft2d",
    "fft3d",
    "fftnd",
    "frame",
    "hamming_window",
    "hann_window",
    "ifft",
    "ifft2d",
    "ifft3d",
    "ifftnd",
    "irfft",
    "irfft2d",
    "irfft3d",
    "irfftnd",
    "overlap_and_add",
    "rfft",
    "rfft2d",
    "rfft3d",
    "rfftnd",
    "vorbis_window",
]
