"""examples/tensorboard_demo.py trains and writes a logdir TensorBoard can show."""

from __future__ import annotations

import importlib.util
import os

import tfgraph as tf
from tests.tfrun import REPO_ROOT
from tfgraph import proto


def _load_demo():
    spec = importlib.util.spec_from_file_location(
        "tensorboard_demo", REPO_ROOT / "examples" / "tensorboard_demo.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_trains_and_logs(tmp_path, capsys):
    demo = _load_demo()
    assert demo.tf is tf
    final = demo.main(["--logdir", str(tmp_path / "run"), "--steps", "60"])
    assert final < 0.05
    assert "step    0  loss 5.97571" in capsys.readouterr().out  # real TF prints the same
    (name,) = os.listdir(tmp_path / "run")
    events = list(tf.train.summary_iterator(str(tmp_path / "run" / name)))
    graph = proto.GraphDef.FromString(events[1].graph_def)
    assert {"input/x", "model/weights", "objective/mse", "train/step"} <= {
        n.name for n in graph.node
    }
    losses = [v.simple_value for e in events[3:] for v in e.summary.value if v.tag == "loss"]
    assert len(losses) == 60 and losses[-1] < losses[0]
    tags = [v.tag for v in events[3].summary.value]
    assert tags == ["loss", "weights", "predictions"]
