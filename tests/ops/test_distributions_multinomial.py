"""tf.distributions.Multinomial and DirichletMultinomial against TF 2.21: shapes,
log_prob/prob, moments, samples' shapes, dtypes and totals, and validate_args errors."""

from __future__ import annotations

import pytest

from tests import tfrun

_PROGRAM = """
import json
D = tf.distributions
counts = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 3.0]], np.float32)
dists = {
    "mn_probs": D.Multinomial(total_count=3.0, probs=[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]),
    "mn_logits": D.Multinomial(total_count=[3.0, 3.0], logits=[1.0, -0.5, 2.0]),
    "dm": D.DirichletMultinomial(3.0, [[1.0, 2.0, 0.5], [4.0, 0.3, 1.2]]),
    "dm_batch_count": D.DirichletMultinomial(5.0, [0.7, 1.5, 2.0]),
}
out = {}
for key, d in dists.items():
    c = counts if key != "dm_batch_count" else counts * np.array([[1.0], [5.0 / 3]], np.float32)
    tensors = [d.log_prob(c), d.prob(c), d.mean(), d.variance(), d.stddev(), d.covariance(),
               d.batch_shape_tensor(), d.event_shape_tensor()]
    s = d.sample(4, seed=7)
    s2 = d.sample([2, 3], seed=3)
    with tf.Session() as sess:
        vals = sess.run(tensors + [s, s2])
    out[key] = {
        "values": [np.round(np.asarray(v, np.float64), 4).tolist() for v in vals[:-2]],
        "static": [d.batch_shape.as_list(), d.event_shape.as_list(), s.shape.as_list(),
                   s2.shape.as_list(), s.dtype.name, d.dtype.name, d.name,
                   d.reparameterization_type == D.NOT_REPARAMETERIZED],
        "sample_shapes": [list(vals[-2].shape), list(vals[-1].shape)],
        "sums": np.asarray(vals[-2].sum(-1)).tolist(),
        "integral": bool(np.all(vals[-2] == np.round(vals[-2]))),
        "log_prob_name": tensors[0].name.split("/")[1],
    }
bad = D.Multinomial(total_count=3.0, probs=[0.2, 0.3, 0.5], validate_args=True)
for key, value in (("sum", [1.0, 1.0, 0.0]), ("fraction", [1.5, 1.5, 0.0])):
    try:
        with tf.Session() as sess:
            sess.run(bad.log_prob(value))
    except tf.errors.InvalidArgumentError as e:
        out["error_" + key] = "counts must sum" in str(e) or "fractional" in str(e)
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_matches_tf():
    ours = tfrun.run_here_json(_PROGRAM)
    theirs = tfrun.run_tf_json(_PROGRAM)
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        assert ours[key] == theirs[key], key
