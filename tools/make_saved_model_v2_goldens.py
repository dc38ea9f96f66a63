"""Writes a TF2 SavedModel with real TensorFlow 2, for tests/saved_model/test_load_v2.py
(tfgraph must load what TF writes): run with a Python that has tensorflow-cpu.

    TF_CPP_MIN_LOG_LEVEL=3 .venv-tf/bin/python tools/make_saved_model_v2_goldens.py \
        tests/data/golden/tf_saved_model_v2

Writes the SavedModel `model/` with `write_model` of tests/saved_model/programs_v2.py,
and `expected.json`: what `read_model` gets back from it in TensorFlow.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.saved_model import programs_v2


def main(out_dir: str) -> None:
    out = Path(out_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {"tf": tf}
    exec(programs_v2.WRITE, env)
    exec(programs_v2.READ, env)
    with tempfile.TemporaryDirectory() as tmp:
        env["write_model"](str(out / "model"), str(Path(tmp) / "vocab.txt"))
    expected = env["read_model"](str(out / "model"))
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
