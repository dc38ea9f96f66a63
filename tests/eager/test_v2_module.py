"""`import tfgraph.compat.v2 as tf` turns TF2 behaviour on, as importing TF2 does."""

from __future__ import annotations

import subprocess
import sys

from tests.tfrun import REPO_ROOT


def test_importing_v2_enables_eager_execution_in_a_fresh_process():
    code = (
        "import tfgraph.compat.v2 as tf\n"
        "import tfgraph.v2 as tf2\n"
        "assert tf2 is tf and tf.executing_eagerly()\n"
        "print(tf.constant([1.0, 2.0]) + 1)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    ).stdout
    assert out == "tf.Tensor([2. 3.], shape=(2,), dtype=float32)\n"
