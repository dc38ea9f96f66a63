"""Seeds 000 and 004 (TF2's variables guides) run verbatim, eagerly, with only the import
line changed, and print exactly what TensorFlow 2.21 prints (the recorded output in
tests/data/tf2_guides_tf221_output.txt, and live when TF is installed).

Differences from the guides' own printed text are TF 2.21's, not tfgraph's: seed 004's
`tf.zeros([1., 2., 3.])` raises TypeError in TF 2.21 (it printed a variable in TF 2.0).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.tfrun import REPO_ROOT, requires_tf, run_tf

RECORDED = REPO_ROOT / "tests" / "data" / "tf2_guides_tf221_output.txt"
PROGRAM = (
    "import sys\n"
    "sys.path.insert(0, {root!r})\n"
    "{import_line}\n"
    "from tests.seeds.tf2_guides import SEED_000, SEED_004, run_blocks\n"
    "run_blocks(SEED_000, {{'tf': tf}})\n"
    "print('----')\n"
    "run_blocks(SEED_004, {{'tf': tf}})\n"
)


def _tfgraph_output() -> str:
    code = PROGRAM.format(root=str(REPO_ROOT), import_line="import tfgraph.compat.v2 as tf")
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_guides_print_what_tensorflow_2_21_prints():
    assert _tfgraph_output() == RECORDED.read_text()


@pytest.mark.tf
@requires_tf
def test_recorded_output_is_tensorflows():
    code = PROGRAM.format(root=str(REPO_ROOT), import_line="import tensorflow as tf")
    ours = run_tf(code.replace("import sys\n", "", 1), v1=False)
    assert ours == RECORDED.read_text()
