"""`tf.nn.ctc_unique_labels`, built as TF builds it (a map_fn over the batch; here, not
in tfgraph/ops, because map_fn lives above the ops layer). The CTC ops themselves are
in tfgraph/ops/ctc_ops.py."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.functional_ops import map_fn
from tfgraph.ops import array_ops
from tfgraph.ops.ctc_ops import _get_dim

__all__ = ["ctc_unique_labels"]


def ctc_unique_labels(labels, name=None):
    """Unique labels of each row (padded with 0, int64) and each label's index into
    them (int32), as TF's `tf.nn.ctc_unique_labels`."""
    g = get_default_graph()
    with g.name_scope(name or "ctc_unique_labels"):
        labels = convert_to_tensor(labels, name="labels")

        def _unique(x):
            u = array_ops.unique(x)
            y = array_ops.pad(u.y, [[0, _get_dim(u.idx, 0) - _get_dim(u.y, 0)]])
            y = array_ops.cast(y, dtypes.int64)
            return [y, u.idx]

        return map_fn(_unique, labels, dtype=[dtypes.int64, dtypes.int32])
