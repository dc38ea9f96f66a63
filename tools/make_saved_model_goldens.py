"""Writes TF1 SavedModels with real TensorFlow, for tests/saved_model (tfgraph must
load what TF writes): run with a Python that has tensorflow-cpu.

    TF_CPP_MIN_LOG_LEVEL=3 .venv-tf/bin/python tools/make_saved_model_goldens.py \
        tests/data/golden/tf_saved_model

Writes the SavedModels `simple/` (simple_save with a vocabulary asset) and `multi/`
(two meta graphs, main op, text format) with the programs of
tests/saved_model/programs.py, and `expected.json`: what TF reads back from them.
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.saved_model import programs  # noqa: E402


def main(out_dir: str) -> None:
    out = Path(out_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {"tf": tf}
    exec(programs.WRITE, env)
    exec(programs.READ, env)
    env["write_simple"](str(out / "simple"), os.path.join(tempfile.mkdtemp(), "vocab.txt"))
    env["write_multi"](str(out / "multi"))
    expected = {
        "simple": env["read_simple"](str(out / "simple")),
        "multi": env["read_multi"](str(out / "multi")),
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
