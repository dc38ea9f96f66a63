"""`import tfgraph` loads only what a TF1 graph program needs; the heavier namespaces
(tf.contrib, tf.test, tf.autograph, tf.keras.applications, ...) load on first use."""

from __future__ import annotations

import json
import subprocess
import sys

_HEAVY = (
    "tensorflow",
    "networkx",
    "google.protobuf",
    "absl",
    "h5py",
    "unittest",
    "urllib.request",
    "tfgraph.contrib",
    "tfgraph.distribute",
    "tfgraph.test",
    "tfgraph.autograph",
    "tfgraph.keras.applications",
    "tfgraph.keras.datasets",
)


def _run(code: str):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_loads_none_of_the_heavy_modules():
    code = (
        f"import json, sys, tfgraph\nprint(json.dumps([m for m in {_HEAVY!r} if m in sys.modules]))"
    )
    assert _run(code) == []


def test_lazy_namespaces_load_on_first_use_from_every_spelling():
    code = (
        "import json, tfgraph as tf\n"
        "import tfgraph.compat.v1 as v1\n"
        "from tfgraph import contrib\n"
        "out = [\n"
        "    tf.contrib is contrib,\n"
        "    v1.contrib.layers.fully_connected is tf.contrib.layers.fully_connected,\n"
        "    tf.test.TestCase.__name__,\n"
        "    callable(tf.autograph.to_graph),\n"
        "    callable(tf.keras.applications.ResNet50),\n"
        "    callable(v1.keras.datasets.mnist.load_data),\n"
        "    callable(tf.keras.export.ExportArchive),\n"
        "    'applications' in tf.keras.__all__,\n"
        "    v1.distribute.get_strategy() is tf.distribute.get_strategy(),\n"
        "]\n"
        "print(json.dumps(out))"
    )
    assert _run(code) == [True, True, "TestCase", True, True, True, True, True, True]
