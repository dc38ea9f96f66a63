"""Subnormal floats are flushed to zero while tfgraph's kernels run, as TF's CPU kernels
do (FTZ|DAZ), and the caller's floating-point mode is restored afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph import proto
from tfgraph.ops import summary_ops
from tfgraph.platform import denormal

pytestmark = pytest.mark.skipif(
    denormal.mxcsr() is None, reason="FTZ/DAZ not available on this platform"
)

PROGRAM = """
import json
import numpy as np
x = tf.placeholder(tf.float32, [None, None])
big = tf.placeholder(tf.float32, [None, None])
tiny = np.full((4, 300), 1e-39, np.float32)
ones = np.ones((300, 300), np.float32)
rows = tf.placeholder(tf.float32, [None, None])  # (a product big enough for 2 threads)
outs = {
    "matmul_threads": tf.matmul(rows, tf.ones([300, 512])),
    "mul": x * 1.0,
    "add": x + 0.0,
    "sum": tf.reduce_sum(x, axis=1),
    "matmul": tf.matmul(x, big),
    "exp": tf.exp(x - 88.5 + x),
    "softmax": tf.nn.softmax(tf.concat([x * 0.0 + 90.0, x * 0.0 + 3.0], 1))[:, 300:],
    "half": x * 0.5 + 1e-38,
}
with tf.Session() as sess:
    got = sess.run(outs, {x: tiny, big: ones, rows: np.full((512, 300), 1e-39, np.float32)})
print(json.dumps({k: [int(np.count_nonzero(v)), float(np.max(v))] for k, v in got.items()}))
"""


def _tfgraph_result():
    scope: dict = {"tf": tf}
    lines = []
    scope["print"] = lines.append
    exec(PROGRAM, scope)
    import json

    return json.loads(lines[-1])


@pytest.mark.tf
@requires_tf
def test_subnormals_flushed_like_tf():
    ours = _tfgraph_result()
    theirs = run_tf_json(PROGRAM)
    assert ours == theirs
    assert ours["mul"][0] == 0 and ours["matmul"][0] == 0


def test_subnormal_inputs_and_results_are_zero():
    got = _tfgraph_result()
    for key in ("mul", "add", "sum", "matmul", "matmul_threads", "exp", "softmax"):
        assert got[key] == [0, 0.0], key


def test_mode_restored_after_run_and_after_error():
    before = denormal.mxcsr()
    x = tf.placeholder(tf.float32, [None])
    y = x * 1.0
    z = tf.debugging.assert_positive(x)
    with tf.Session() as sess:
        sess.run(y, {x: [1.0]})
        assert denormal.mxcsr() & 0xFFC0 == before & 0xFFC0
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(z, {x: [-1.0]})
        assert denormal.mxcsr() & 0xFFC0 == before & 0xFFC0
    # numpy outside tfgraph keeps subnormals
    assert np.float32(1e-39) * np.float32(1.0) != 0


def test_works_when_numpy_imported_first():
    code = (
        "import numpy as np\n"
        "a = np.ones((512, 512), np.float32) @ np.ones((512, 512), np.float32)\n"
        "import tfgraph as tf\n"
        "x = tf.placeholder(tf.float32, [None, None])\n"
        "y = tf.matmul(x, tf.ones([512, 512]))\n"
        "with tf.Session() as s:\n"
        "    out = s.run(y, {x: np.full((512, 512), 1e-39, np.float32)})\n"
        "outside = np.full(4, 1e-39, np.float32) * 1\n"
        "print(int(np.count_nonzero(out)), int(np.count_nonzero(outside)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "4"]


def test_threads_each_flush_and_restore():
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.matmul(x, tf.ones([256, 256])) + x * 1.0
    tiny = np.full((256, 256), 1e-39, np.float32)
    results: list = []
    errors: list = []

    def work():
        try:
            before = denormal.mxcsr()
            with tf.Session() as sess:
                for _ in range(20):
                    results.append(int(np.count_nonzero(sess.run(y, {x: tiny}))))
            assert denormal.mxcsr() & 0xFFC0 == before & 0xFFC0
            assert np.count_nonzero(tiny * np.float32(1.0)) == tiny.size
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [0] * 80


FOLDED = """
import json
import numpy as np
c = tf.constant(np.full(3, 1e-39, np.float32))
with tf.Session() as s:
    got = s.run([c, c * 1.0, tf.reduce_sum(c), tf.exp(c - 88.5 + c)])
print(json.dumps([int(np.count_nonzero(v)) for v in got]))
"""


def _run_here(code):
    lines: list = []
    exec(code, {"tf": tf, "print": lines.append})
    import json

    return json.loads(lines[-1])


def test_folded_constants_flushed():
    # the constant keeps its value; what kernels compute from it (folded) is flushed
    assert _run_here(FOLDED) == [3, 0, 0, 0]


@pytest.mark.tf
@requires_tf
def test_folded_constants_flushed_like_tf():
    assert _run_here(FOLDED) == run_tf_json(FOLDED)


HISTOGRAM = """
import numpy as np
arr = np.array([1e300, -1e300, 0.0, 5e-324, 1e-310, -2e-310, 2.2e-308, 1e-160], np.float64)
with tf.Session() as s:
    print(json.dumps(s.run(tf.summary.histogram("h", tf.constant(arr))).hex()))
"""


@pytest.mark.tf
@requires_tf
def test_histogram_of_subnormals_like_tf():
    # TF's kernel buckets subnormals as zeros and flushes tiny squares in sum_squares
    code = "import json\n" + HISTOGRAM
    assert _run_here(code) == run_tf_json(code)


def test_large_histogram_buckets_subnormals_as_zeros_in_session():
    # (the bucket table of large inputs is built outside a session here, first)
    arr = np.concatenate([np.linspace(-1, 1, 500), [5e-324, -5e-324, -2e-310, 0.0]])
    summary_ops.histogram_proto_bytes(arr)
    with tf.Session() as sess:
        got = proto.Summary.FromString(sess.run(tf.summary.histogram("h", tf.constant(arr))))
    flushed = np.where(np.abs(arr) < 1e-300, 0.0, arr)
    with tf.Session() as sess:
        want = proto.Summary.FromString(sess.run(tf.summary.histogram("h", tf.constant(flushed))))
    assert list(got.value[0].histo.bucket) == list(want.value[0].histo.bucket)


FORK_PROGRAM = """
import os, sys
import numpy as np
from tfgraph.platform import denormal

tiny = np.full((512, 512), np.float32(1e-39))
ones = np.ones((512, 512), np.float32)


def numpy_product_in_a_run(enter, exit_):
    token = enter()
    np.dot(tiny, ones)  # (numpy's OpenBLAS on its threads, if they may run)
    exit_(token)


def keeps_subnormals():  # numpy outside tfgraph: subnormal inputs are numbers
    return bool(np.dot(tiny, ones).all())


results = []
for during_run in (False, True):
    token = denormal.enter() if during_run else None  # (a run holding numpy's BLAS)
    pid = os.fork()
    if pid == 0:
        if during_run:
            denormal.exit(token)
        numpy_product_in_a_run(*denormal.fp_hooks())
        os._exit(0 if keeps_subnormals() else 1)
    if during_run:
        denormal.exit(token)
    numpy_product_in_a_run(*denormal.fp_hooks())
    _, status = os.waitpid(pid, 0)
    results.append([keeps_subnormals(), os.waitstatus_to_exitcode(status) == 0])
print(results)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_numpys_blas_threads_started_after_a_fork_keep_their_mode():
    """OpenBLAS stops its threads at a fork and starts them on its next multi-threaded
    product, from that thread: tfgraph starts them itself with the caller's mode, so a
    numpy product inside a run cannot give numpy's workers FTZ|DAZ for good (parent and
    child, fork outside a run and during one)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    out = subprocess.run(
        [sys.executable, "-c", FORK_PROGRAM], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[[True, True], [True, True]]"
