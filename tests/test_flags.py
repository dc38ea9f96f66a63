"""`tf.flags`: absl.flags as TensorFlow 1.x exposes it, loaded on first use."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

import tfgraph as tf
from tests.tfrun import REPO_ROOT, requires_tf, run_tf


def test_import_tfgraph_does_not_load_absl():
    code = (
        "import sys, tfgraph as tf\n"
        "before = 'absl' in sys.modules\n"
        "flags = tf.flags\n"
        "print(before, 'absl' in sys.modules, tf.app.flags is flags, tf.compat.v1.flags is flags)"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out == "False True True True\n"


def test_flags_share_absls_registry():
    import absl.flags

    assert isinstance(tf.flags.FLAGS, absl.flags.FlagValues)
    assert tf.flags.DEFINE_enum is absl.flags.DEFINE_enum
    assert tf.flags.UnparsedFlagAccessError is absl.flags.UnparsedFlagAccessError
    # One registry: a flag absl defines is a tf.flags flag.
    assert ("verbosity" in tf.flags.FLAGS) == ("verbosity" in absl.flags.FLAGS)


def test_define_accepts_tfs_old_keyword_names(caplog):
    values = tf.flags.FlagValues()
    with caplog.at_level(logging.WARNING):
        tf.flags.DEFINE_integer(
            flag_name="epochs", default_value=3, docstring="Epochs.", flag_values=values
        )
        tf.flags.DEFINE_bool("shuffle", True, "Shuffle.", flag_values=values)
    values(["prog", "--epochs=5", "--noshuffle"])
    assert (values.epochs, values.shuffle) == (5, False)
    assert values["epochs"].help == "Epochs."
    assert [r.getMessage() for r in caplog.records] == [
        "Use of the keyword argument names (flag_name, default_value, docstring) is "
        "deprecated, please use (name, default, help) instead."
    ]


@pytest.mark.tf
@requires_tf
def test_every_name_tf_has_in_flags_logging_app_exists_in_tfgraph():
    tf_names = json.loads(
        run_tf(
            "import json\n"
            "names = {m: sorted(n for n in dir(getattr(tf, m)) if not n.startswith('_'))\n"
            "         for m in ('flags', 'logging', 'app')}\n"
            "names['toggles'] = sorted(n for n in dir(tf) if n.startswith(\n"
            "    ('enable_', 'disable_', 'executing_eagerly')) or n.endswith('_enabled'))\n"
            "print(json.dumps(names))"
        )
        .strip()
        .splitlines()[-1]
    )
    # TF's flags module also leaks its helper import `tf_decorator`; no script uses it.
    tf_names["flags"].remove("tf_decorator")
    missing = {
        module: [
            n for n in names if not hasattr(tf if module == "toggles" else getattr(tf, module), n)
        ]
        for module, names in tf_names.items()
    }
    assert "enable_eager_execution" in tf_names["toggles"]
    assert missing == {"flags": [], "logging": [], "app": [], "toggles": []}
