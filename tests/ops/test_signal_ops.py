"""tf.signal: frame, overlap_and_add, windows and the real FFTs against TF (values, static
shapes, dtypes, the ops built, and gradients of sum(out * w))."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
rng = np.random.RandomState(0)
sig = rng.randn(2, 11).astype(np.float32)
sig3 = rng.randn(7, 3).astype(np.float32)
fr = rng.randn(2, 4, 6).astype(np.float32)
img = rng.randn(3, 5, 6).astype(np.float32)
spec = (rng.randn(2, 5) + 1j * rng.randn(2, 5)).astype(np.complex64)
spec2 = (rng.randn(3, 4, 3) + 1j * rng.randn(3, 4, 3)).astype(np.complex64)
S = tf.signal
cases = {
    "frame": lambda: S.frame(sig, 4, 3),
    "frame_pad": lambda: S.frame(sig, 4, 3, pad_end=True, pad_value=-1.0),
    "frame_axis0": lambda: S.frame(sig3, 3, 2, axis=0),
    "frame_gcd": lambda: S.frame(sig, 6, 4, pad_end=True),
    "frame_ph": lambda: S.frame(tf.placeholder_with_default(sig, [None, None]), 4, 2),
    "ola": lambda: S.overlap_and_add(fr, 4),
    "ola_fast": lambda: S.overlap_and_add(fr, 6),
    "ola_big_step": lambda: S.overlap_and_add(fr, 7),
    "ola_ph": lambda: S.overlap_and_add(tf.placeholder_with_default(fr, None), 2),
    "hann": lambda: S.hann_window(8),
    "hann_sym": lambda: S.hann_window(7, periodic=False),
    "hann_1": lambda: S.hann_window(1),
    "hann_f64": lambda: S.hann_window(6, dtype=tf.float64),
    "hamming": lambda: S.hamming_window(9),
    "hamming_sym": lambda: S.hamming_window(10, periodic=False),
    "hann_ph": lambda: S.hann_window(tf.placeholder_with_default(5, [])),
    "vorbis": lambda: S.vorbis_window(6),
    "rfft": lambda: S.rfft(sig),
    "rfft_len": lambda: S.rfft(sig, [16]),
    "rfft_crop": lambda: S.rfft(sig, [6]),
    "irfft": lambda: S.irfft(spec),
    "irfft_odd": lambda: S.irfft(spec, [9]),
    "rfft2d": lambda: S.rfft2d(img),
    "rfft2d_len": lambda: S.rfft2d(img, [8, 4]),
    "irfft2d": lambda: S.irfft2d(spec2),
    "irfft2d_len": lambda: S.irfft2d(spec2, [5, 5]),
    "rfft3d": lambda: S.rfft3d(img),
    "irfft3d": lambda: S.irfft3d(spec2, [3, 4, 5]),
    "fft": lambda: S.fft(spec),
    "stft": lambda: S.stft(sig, 5, 2),
    "stft_pad_len": lambda: S.stft(sig, 4, 3, fft_length=6, pad_end=True),
    "stft_hamming": lambda: S.stft(sig, 6, 3, window_fn=S.hamming_window),
    "stft_nowin": lambda: S.stft(sig, 4, 4, window_fn=None),
    "stft_ph": lambda: S.stft(tf.placeholder_with_default(sig, [None, None]), 5, 2),
    "istft": lambda: S.inverse_stft(S.stft(sig, 5, 2), 5, 2),
    "istft_inv": lambda: S.inverse_stft(
        S.stft(sig, 6, 2), 6, 2, window_fn=S.inverse_stft_window_fn(2)),
    "istft_crop": lambda: S.inverse_stft(S.stft(sig, 4, 2, fft_length=3), 4, 2, fft_length=3),
    "istft_pad": lambda: S.inverse_stft(spec2, 9, 3, fft_length=4),
    "istft_ph": lambda: S.inverse_stft(tf.placeholder_with_default(spec2, None), 5, 2),
    "dct2": lambda: S.dct(sig),
    "dct2_ortho": lambda: S.dct(sig, norm="ortho"),
    "dct1": lambda: S.dct(sig, type=1),
    "dct3": lambda: S.dct(sig, type=3),
    "dct3_ortho_n": lambda: S.dct(sig, type=3, n=8, norm="ortho"),
    "dct2_pad": lambda: S.dct(sig, n=14),
    "dct4": lambda: S.dct(sig, type=4, norm="ortho"),
    "idct2": lambda: S.idct(sig, norm="ortho"),
    "idct3": lambda: S.idct(sig, type=3),
    "idct1_f64": lambda: S.idct(sig.astype(np.float64), type=1),
    "dct_ph": lambda: S.dct(tf.placeholder_with_default(sig, [2, None]), norm="ortho"),
    "mel": lambda: S.linear_to_mel_weight_matrix(),
    "mel_small": lambda: S.linear_to_mel_weight_matrix(8, 17, 16000, 20.0, 7000.0),
    "mel_f64": lambda: S.linear_to_mel_weight_matrix(5, 9, 100, 0.0, 50.0, tf.float64),
    "mfcc": lambda: S.mfccs_from_log_mel_spectrograms(img),
    "mfcc_ph": lambda: S.mfccs_from_log_mel_spectrograms(
        tf.placeholder_with_default(img, [None, None, None])),
    "mdct": lambda: S.mdct(sig, 4),
    "mdct_pad_ortho": lambda: S.mdct(sig, 8, pad_end=True, norm="ortho"),
    "mdct_nowin": lambda: S.mdct(sig, 4, window_fn=None),
    "imdct": lambda: S.inverse_mdct(S.mdct(sig, 8)),
    "imdct_ortho": lambda: S.inverse_mdct(S.mdct(sig, 4, norm="ortho"), norm="ortho"),
    "imdct_nowin": lambda: S.inverse_mdct(img[..., :4], window_fn=None),
    "vorbis_f64": lambda: S.vorbis_window(5, dtype=tf.float64),
    "kaiser": lambda: S.kaiser_window(9),
    "kaiser_even_beta": lambda: S.kaiser_window(8, beta=3.5),
    "kaiser_1": lambda: S.kaiser_window(1),
    "kaiser_f64": lambda: S.kaiser_window(6, beta=20.0, dtype=tf.float64),
    "kbd": lambda: S.kaiser_bessel_derived_window(10),
    "kbd_f64": lambda: S.kaiser_bessel_derived_window(7, 4.0, dtype=tf.float64),
    "mdct_kbd": lambda: S.mdct(sig, 8, window_fn=S.kaiser_bessel_derived_window),
    "fftshift": lambda: S.fftshift(img),
    "fftshift_int": lambda: S.fftshift(sig, axes=1),
    "fftshift_list": lambda: S.fftshift(img, axes=[0, -1]),
    "ifftshift": lambda: S.ifftshift(img),
    "ifftshift_list": lambda: S.ifftshift(spec2, axes=[-2, 1]),
    "fftnd": lambda: S.fftnd(spec2),
    "fftnd_axes": lambda: S.fftnd(spec2, fft_length=[4, 3], axes=[1, 2], norm="ortho"),
    "ifftnd_fwd": lambda: S.ifftnd(spec2, fft_length=[3, 4, 3], norm="forward"),
    "rfftnd": lambda: S.rfftnd(img),
    "rfftnd_len": lambda: S.rfftnd(img, fft_length=[5, 8], axes=[1, 2], norm="ortho"),
    "irfftnd": lambda: S.irfftnd(spec2),
    "irfftnd_len": lambda: S.irfftnd(spec2, fft_length=[4, 6], axes=[-2, -1], norm="forward"),
    "inv_win": lambda: S.inverse_stft_window_fn(3, S.hamming_window)(7, tf.float32),
}
GRADS = {
    "frame": lambda x: S.frame(x, 4, 3),
    "frame_pad": lambda x: S.frame(x, 5, 2, pad_end=True),
    "ola": lambda x: S.overlap_and_add(S.frame(x, 4, 3), 3),
    "ola2": lambda x: S.overlap_and_add(S.frame(x, 4, 2), 2),
    "rfft": lambda x: tf.real(S.rfft(x)) + tf.imag(S.rfft(x)),
    "rfft_odd": lambda x: tf.abs(S.rfft(x, [13])),
    "irfft": lambda x: S.irfft(tf.complex(x, x * 0.5)),
    "irfft_odd": lambda x: S.irfft(tf.complex(x, -x), [21]),
    "stft": lambda x: tf.real(S.stft(x, 5, 2)) - 2.0 * tf.imag(S.stft(x, 5, 2)),
    "stft_pad": lambda x: tf.abs(S.stft(x, 4, 3, fft_length=8, pad_end=True)),
    "istft": lambda x: S.inverse_stft(S.stft(x, 6, 2), 6, 2),
    "dct2": lambda x: S.dct(x, norm="ortho"),
    "dct3": lambda x: S.dct(x, type=3),
    "dct1": lambda x: S.idct(x, type=1),
    "mfcc": lambda x: S.mfccs_from_log_mel_spectrograms(x),
    "mdct": lambda x: S.mdct(tf.concat([x, x], 1), 8),
    "imdct": lambda x: S.inverse_mdct(tf.reshape(x[:, :10], [2, 5, 2])),
    "i0e": lambda x: tf.math.bessel_i0e(x * 3.0),
    "i1e": lambda x: tf.math.bessel_i1e(tf.concat([x * 3.0, [[0.0], [0.0]]], 1)),
    "rfft2d": lambda x: tf.real(S.rfft2d(tf.reshape(x, [2, 11]))) * 2.0
        + tf.imag(S.rfft2d(tf.reshape(x, [2, 11]))),
}
out = {}
def record(k, y):
    ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    if k.startswith(("fftnd", "ifftnd", "rfftnd", "irfftnd")):  # (TF: GPU kernels only)
        out[k] = {"value": None, "dtype": y.dtype.name, "shape": str(y.shape), "ops": ops}
        return
    with tf.Session() as sess:
        v = sess.run(y)
    if np.iscomplexobj(v):
        v = np.stack([v.real, v.imag])
    out[k] = {"value": np.asarray(v, np.float64).tolist(), "dtype": y.dtype.name,
              "shape": str(y.shape), "ops": ops}
for k, f in cases.items():
    with tf.Graph().as_default():
        record(k, f())
for k, f in GRADS.items():
    with tf.Graph().as_default():
        x = tf.constant(sig)
        y = f(x)
        w = tf.constant(np.random.RandomState(1).randn(*y.shape.as_list()).astype(np.float32))
        g, = tf.gradients(tf.reduce_sum(y * w), x)
        record("grad_" + k, g)
"""


def _here():
    scope = {"tf": tf, "np": np}
    exec(PROGRAM, scope)
    return json.loads(json.dumps(scope["out"]))


@pytest.fixture(scope="module")
def both():
    return _here(), run_tf_json(PROGRAM + "\nprint(json.dumps(out))")


@pytest.mark.tf
@requires_tf
def test_values_shapes_and_ops_equal_tf(both):
    mine, theirs = both
    assert sorted(mine) == sorted(theirs)
    for k in theirs:
        a, b = mine[k], theirs[k]
        assert a["dtype"] == b["dtype"], k
        assert a["shape"] == b["shape"], k
        if b["value"] is not None:
            np.testing.assert_allclose(a["value"], b["value"], rtol=1e-4, atol=2e-4, err_msg=k)
        if not k.startswith(("grad_", "mel")):  # (tfgraph's linspace builds fewer ops)
            assert a["ops"] == b["ops"], k


def test_nd_transforms_values_against_numpy():
    """TF 2.21 has GPU kernels only for FFTND & co.: tfgraph's values are numpy's."""
    rng = np.random.RandomState(2)
    img = rng.randn(3, 5, 6).astype(np.float32)
    spec = (rng.randn(3, 4, 3) + 1j * rng.randn(3, 4, 3)).astype(np.complex64)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(
            [
                tf.signal.fftnd(spec),
                tf.signal.fftnd(spec, fft_length=[4, 3], axes=[1, 2], norm="ortho"),
                tf.signal.ifftnd(spec, fft_length=[3, 4, 3], norm="forward"),
                tf.signal.rfftnd(img, fft_length=[5, 8], axes=[1, 2], norm="ortho"),
                tf.signal.irfftnd(spec),
                tf.signal.irfftnd(spec, fft_length=[4, 6], axes=[-2, -1], norm="forward"),
            ]
        )
    want = [
        np.fft.fftn(spec),
        np.fft.fftn(spec, axes=[1, 2], norm="ortho"),
        np.fft.ifftn(spec, norm="forward"),
        np.fft.rfftn(img, s=[5, 8], axes=[1, 2], norm="ortho"),
        np.fft.irfftn(spec, s=[3, 4, 4], axes=[0, 1, 2]),
        np.fft.irfftn(spec, s=[4, 6], axes=[-2, -1], norm="forward"),
    ]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)


ERRORS = """
S = tf.signal
x = np.zeros((2, 8), np.float32)
cases = {
    "frame_rank": lambda: S.frame(x, [4], 2),
    "ola_float_step": lambda: S.overlap_and_add(np.zeros((2, 3, 4), np.float32), 2.0),
    "ola_rank1": lambda: S.overlap_and_add(np.zeros(4, np.float32), 2),
    "mdct_len": lambda: S.mdct(x, 6),
    "dct_type": lambda: S.dct(x, type=5),
    "dct1_ortho": lambda: S.dct(x, type=1, norm="ortho"),
    "dct_norm": lambda: S.dct(x, norm="forward"),
    "dct_axis": lambda: S.dct(x, axis=0),
    "mel_edges": lambda: S.linear_to_mel_weight_matrix(lower_edge_hertz=4000.0),
    "mel_nyquist": lambda: S.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0),
    "window_int": lambda: S.hann_window(4, dtype=tf.int32),
    "rfft_int": lambda: S.rfft(np.zeros(4, np.int32)),
}
out = {}
for k, f in cases.items():
    with tf.Graph().as_default():
        try:
            f()
            out[k] = None
        except Exception as e:
            out[k] = [type(e).__name__, str(e).split("\\n")[0][:60]]
"""


@pytest.mark.tf
@requires_tf
def test_errors_equal_tf():
    scope = {"tf": tf, "np": np}
    exec(ERRORS, scope)
    theirs = run_tf_json(ERRORS + "\nprint(json.dumps(out))")
    mine = json.loads(json.dumps(scope["out"]))
    for k in theirs:
        if theirs[k] is None:
            assert mine[k] is None, k
            continue
        assert mine[k] is not None and mine[k][0] == theirs[k][0], (k, mine[k], theirs[k])
        if not k.startswith(("frame_rank", "ola_rank1")):
            assert mine[k][1] == theirs[k][1], (k, mine[k], theirs[k])
