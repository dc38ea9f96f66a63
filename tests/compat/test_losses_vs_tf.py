"""tf.losses against real TF: the same ops (names, inputs, control inputs), values,
collections and errors, for every loss, weights (scalar, static, fed) and reduction."""

from __future__ import annotations

import pytest

from tests import tfrun
from tests.compat import opdiff

_DATA = """
labels = tf.constant([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]], name="labels")
preds = tf.constant([[0.1, 0.8, 0.6], [0.3, 0.2, 0.9]], name="preds")
logits = tf.constant([[1.5, -0.5, 0.2], [-1.0, 2.0, 0.3]], name="logits")
onehot = tf.constant([[0, 1, 0], [0, 0, 1]], tf.int32, name="onehot")
sparse = tf.constant([1, 2], tf.int64, name="sparse")
"""

_LOSSES = {
    "mse": "tf.losses.mean_squared_error(labels, preds{w})",
    "abs": "tf.losses.absolute_difference(labels, preds{w})",
    "huber": "tf.losses.huber_loss(labels, preds * 4{w}, delta=0.5)",
    "log": "tf.losses.log_loss(labels, preds{w})",
    "hinge": "tf.losses.hinge_loss(tf.round(labels), logits{w})",
    "sigmoid": "tf.losses.sigmoid_cross_entropy(labels, logits{w})",
    "softmax": "tf.losses.softmax_cross_entropy(onehot, logits{w})",
    "sparse_softmax": "tf.losses.sparse_softmax_cross_entropy(sparse, logits{w})",
}

_WEIGHTS = {
    "default": "",
    "scalar": ", weights=2.0",
    "static": ", weights=tf.constant([[1.0], [0.0]], name='w')",
}

CASES: dict[str, str] = {}
for _loss, _expr in _LOSSES.items():
    for _wname, _w in _WEIGHTS.items():
        if _loss == "sparse_softmax" and _wname == "static":
            _w = ", weights=tf.constant([1.0, 0.0], name='w')"
        elif _loss == "softmax" and _wname == "static":
            _w = ", weights=tf.constant([0.5, 2.0], name='w')"
        CASES[f"{_loss}_{_wname}"] = (
            _DATA
            + f"""
loss = {_expr.format(w=_w)}
out = [loss, tf.constant([t.name for t in tf.losses.get_losses()])]
"""
        )

CASES.update(
    {
        "fed_weights": _DATA
        + """
w = tf.placeholder(tf.float32, [None], name="w")
loss = tf.losses.sparse_softmax_cross_entropy(sparse, logits, weights=w)
feed = {w: [0.0, 3.0]}
out = [loss]
""",
        "fed_weights_not_broadcastable": _DATA
        + """
w = tf.placeholder(tf.float32, [None], name="w")
loss = tf.losses.mean_squared_error(labels[0], preds[0], weights=w)
feed = {w: [1.0, 2.0]}
out = [loss]
phrase = "weights can not be broadcast to values."
""",
        "static_weights_not_broadcastable": _DATA
        + """
tf.losses.mean_squared_error(labels, preds, weights=tf.constant([1.0, 2.0]))
phrase = "weights can not be broadcast to values."
""",
        "reductions": _DATA
        + """
w = tf.constant([[1.0, 0.0, 2.0], [0.5, 0.0, 1.0]], name="w")
R = tf.losses.Reduction
out = [
    tf.losses.mean_squared_error(labels, preds, w, reduction=R.NONE),
    tf.losses.mean_squared_error(labels, preds, w, reduction=R.SUM),
    tf.losses.mean_squared_error(labels, preds, w, reduction=R.MEAN),
    tf.losses.mean_squared_error(labels, preds, w, reduction=R.SUM_OVER_BATCH_SIZE),
    tf.losses.mean_squared_error(labels, preds, w, reduction=R.SUM_BY_NONZERO_WEIGHTS),
    tf.losses.absolute_difference(labels, preds, w, scope="named", loss_collection=None),
]
""",
        "bad_reduction": _DATA
        + """
tf.losses.mean_squared_error(labels, preds, reduction="mean")
phrase = "Invalid Reduction Key mean."
""",
        "label_smoothing": _DATA
        + """
out = [
    tf.losses.softmax_cross_entropy(onehot, logits, label_smoothing=0.1),
    tf.losses.sigmoid_cross_entropy(labels, logits, label_smoothing=0.2),
]
""",
        "cosine_and_pairwise": _DATA
        + """
out = [
    tf.losses.cosine_distance(tf.nn.l2_normalize(labels, 1), tf.nn.l2_normalize(preds, 1),
                              axis=1),
    tf.losses.mean_pairwise_squared_error(labels, preds),
]
""",
        "sparse_labels_with_extra_dim": _DATA
        + """
out = [tf.losses.sparse_softmax_cross_entropy(tf.reshape(sparse, [2, 1]), logits,
                                              weights=tf.constant([[1.0], [2.0]]))]
""",
        "labels_none": _DATA
        + """
tf.losses.mean_squared_error(None, preds)
phrase = "Argument `labels` must not be None."
""",
        "incompatible_shapes": _DATA
        + """
tf.losses.mean_squared_error(labels, preds[0])
phrase = "are incompatible"
""",
        "total_and_regularization": _DATA
        + """
tf.losses.mean_squared_error(labels, preds)
tf.losses.absolute_difference(labels, preds, loss_collection="other")
w = tf.Variable([1.0, -2.0], name="wreg")
tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.nn.l2_loss(w))
tf.losses.add_loss(tf.constant(0.25, name="extra"))
init = tf.global_variables_initializer()
out = [
    tf.losses.get_total_loss(),
    tf.losses.get_total_loss(add_regularization_losses=False, name="data_loss"),
    tf.losses.get_regularization_loss(),
    tf.losses.get_regularization_loss(scope="nothing"),
    tf.constant([t.name for t in tf.losses.get_losses(loss_collection="other")]
                + [t.name for t in tf.losses.get_regularization_losses()]),
]
""",
    }
)


@pytest.fixture(scope="module")
def tf_results():
    return opdiff.run_cases_in_tf(CASES)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(CASES))
def test_parity_with_tf(case, tf_results):
    code = CASES[case]
    actual = opdiff.run_case_in_tfgraph(code)
    problems = opdiff.compare(case, code, tf_results[case], actual)
    assert not problems, f"case {case!r}:\n" + "\n".join(problems)
