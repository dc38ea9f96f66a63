"""tf.config.optimizer (get/set_jit, get/set_experimental_options) against TF 2.21: the
settings are stored and reported as TF reports them (tfgraph acts on neither)."""

from __future__ import annotations

import pytest

from tests import tfrun

_PROGRAM = """
import json
o = tf.config.optimizer
out = [o.get_jit(), o.get_experimental_options()]
o.set_jit(True); out.append(o.get_jit())
o.set_jit(False); out.append(o.get_jit())
o.set_jit("autoclustering"); out.append(o.get_jit())
o.set_jit(False)
o.set_experimental_options({"constant_folding": False, "min_graph_nodes": 3,
                            "disable_meta_optimizer": True, "layout_optimizer": True})
out.append(o.get_experimental_options())
o.set_experimental_options({"bogus": True, "remapping": False})
out.append(o.get_experimental_options())
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_matches_tf():
    from tfgraph.eager import config

    saved = dict(config._optimizer, options=dict(config._optimizer["options"]))
    try:
        assert tfrun.run_here_json(_PROGRAM) == tfrun.run_tf_json(_PROGRAM)
    finally:
        config._optimizer.update(saved)
