"""tf.distributions (TF1): Normal, Bernoulli, Categorical, kl_divergence against TF:
values, seeded samples, gradients of log_prob, static shapes and name scopes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

_PROGRAM = """
tfd = tf.distributions
g = tf.Graph()
with g.as_default():
    tf.set_random_seed(5)
    loc = tf.constant([0.5, -1.0, 2.0])
    scale = tf.constant([1.0, 0.5, 3.0])
    n = tfd.Normal(loc, scale)
    x = tf.constant([[0.1, 0.2, -3.0], [1.5, -1.0, 4.0]])
    outs = [n.log_prob(x), n.prob(x), n.cdf(x), n.log_cdf(x), n.survival_function(x),
            n.entropy(), n.mean(), n.stddev(), n.variance(), n.mode(),
            n.sample([2, 2], seed=3), n.batch_shape_tensor(), n.event_shape_tensor()]
    outs += tf.gradients(tf.reduce_sum(n.log_prob(x)), [loc, scale])
    b = tfd.Bernoulli(logits=[0.3, -2.0])
    b2 = tfd.Bernoulli(probs=[0.6, 0.1])
    outs += [b.log_prob([[1, 0], [0, 1]]), b.prob([1, 1]), b.entropy(), b.mean(),
             b.variance(), b.mode(), b.sample(4, seed=2), b2.logits, tfd.kl_divergence(b, b2)]
    c = tfd.Categorical(logits=[[1.0, 2.0, 0.5], [0.1, 0.1, 3.0]])
    c2 = tfd.Categorical(probs=[[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]])
    outs += [c.log_prob([2, 0]), c.prob([[1, 1], [0, 2]]), c.entropy(), c.mode(),
             c.sample(5, seed=4), tfd.kl_divergence(c, c2), c2.logits]
    outs += [tfd.kl_divergence(n, tfd.Normal(1.0, 2.0))]
    with tf.Session() as s:
        r = s.run(outs)
meta = [[o.name for o in outs[:13]],
        [str(n.batch_shape), str(n.event_shape), str(c.batch_shape), n.name,
         b.dtype.name, c.dtype.name, str(n.reparameterization_type)],
        [o.shape.as_list() for o in outs]]
print(json.dumps([v.tolist() for v in r] + [meta]))
"""
_CATEGORICAL_SAMPLE = 28  # (tfgraph's Multinomial op does not draw TF's stream yet)


def _ours():
    ns = {"tf": tf, "json": json}
    exec(_PROGRAM.replace("print(json.dumps(", "result = ((").replace("meta]))", "meta]))"), ns)
    return json.loads(json.dumps(ns["result"]))


@pytest.fixture(scope="module")
def both():
    return _ours(), run_tf_json(_PROGRAM)


@requires_tf
def test_values_samples_and_gradients_equal_tf(both):
    ours, theirs = both
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours[:-1], theirs[:-1])):
        a, b = np.array(a, float), np.array(b, float)
        assert a.shape == b.shape, i
        if i == _CATEGORICAL_SAMPLE:
            assert set(a.ravel()) <= {0, 1, 2}
            continue
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=str(i))


@requires_tf
def test_names_shapes_and_properties_equal_tf(both):
    ours, theirs = both
    names_ours, names_tf = ours[-1][0], theirs[-1][0]
    log_cdf = 3  # (TF's log_ndtr series; ours logs ndtr)
    assert [n for i, n in enumerate(names_ours) if i != log_cdf] == [
        n for i, n in enumerate(names_tf) if i != log_cdf
    ]
    assert names_ours[log_cdf].startswith("Normal/log_cdf/")
    assert ours[-1][1:] == theirs[-1][1:]


def test_kl_registry_and_errors():
    tfd = tf.distributions

    class MyNormal(tfd.Normal):
        pass

    kl = tfd.kl_divergence(MyNormal(0.0, 1.0), tfd.Normal(0.0, 1.0))  # (by the MRO)
    assert tf.Session().run(kl) == 0.0
    with pytest.raises(ValueError, match="already been registered"):
        tfd.RegisterKL(tfd.Normal, tfd.Normal)(lambda a, b, name=None: None)
    with pytest.raises(NotImplementedError, match="No KL"):
        tfd.kl_divergence(tfd.Normal(0.0, 1.0), tfd.Bernoulli(probs=0.5))
    with pytest.raises(ValueError, match="Must pass probs or logits, but not both"):
        tfd.Bernoulli()
    assert tfd.Normal(0.0, 1.0).reparameterization_type is tfd.FULLY_REPARAMETERIZED
    assert tfd.Bernoulli(probs=0.5).reparameterization_type is tfd.NOT_REPARAMETERIZED


_PROGRAM_MORE = """
tfd = tf.distributions
g = tf.Graph()
with g.as_default():
    tf.set_random_seed(5)
    x = tf.constant([[0.3, 1.2, 2.5], [0.05, 4.0, 0.9]])
    dists = [tfd.Uniform([0.0, 1.0, -1.0], [1.0, 3.0, 2.0]),
             tfd.Gamma([0.5, 2.0, 5.0], [1.0, 2.0, 0.5]),
             tfd.Exponential([0.5, 1.0, 3.0]), tfd.Laplace([0.0, 1.0, 2.0], [1.0, 0.5, 2.0])]
    outs = []
    for d in dists:
        outs += [d.log_prob(x), d.prob(x), d.cdf(x), d.survival_function(x), d.entropy(),
                 d.mean(), d.stddev(), d.variance(), d.sample([2], seed=3)]
        if not isinstance(d, tfd.Uniform):
            outs.append(d.mode())
    with tf.Session() as s:
        r = s.run(outs)
meta = [[d.name for d in dists], [o.shape.as_list() for o in outs],
        [o.name.split("/")[:2] for o in outs]]
print(json.dumps([v.tolist() for v in r] + [meta]))
"""


# Beta and StudentT (Betainc takes x of the parameters' shape, in TF too)
_PROGRAM_BETA_T = _PROGRAM_MORE.replace(
    "tfd.Exponential([0.5, 1.0, 3.0]), tfd.Laplace([0.0, 1.0, 2.0], [1.0, 0.5, 2.0])",
    "tfd.Beta([0.5, 2.0, 5.0], [1.5, 2.0, 0.7]), "
    "tfd.StudentT([0.8, 1.5, 5.0], [0.0, 1.0, -1.0], [1.0, 2.0, 0.5])",
).replace("[[0.3, 1.2, 2.5], [0.05, 4.0, 0.9]]", "[0.3, 0.99, 0.05]")


def _ours_more(program):
    ns = {"tf": tf, "json": json}
    exec(program.replace("print(json.dumps(", "result = (("), ns)
    return json.loads(json.dumps(ns["result"]))


@requires_tf
@pytest.mark.parametrize("program", [_PROGRAM_MORE, _PROGRAM_BETA_T], ids=["more", "beta_t"])
def test_uniform_gamma_exponential_laplace_beta_studentt_equal_tf(program):
    """Values, seeded samples (random_uniform / random_normal / random_gamma draw TF's
    streams), shapes and method scopes."""
    assert program.count("tfd.") >= 5
    ours, theirs = _ours_more(program), run_tf_json(program)
    for i, (a, b) in enumerate(zip(ours[:-1], theirs[:-1])):
        np.testing.assert_allclose(
            np.array(a, float), np.array(b, float), rtol=1e-5, atol=1e-6, err_msg=str(i)
        )
    assert ours[-1] == theirs[-1]


_PROGRAM_DIRICHLET = """
tfd = tf.distributions
g = tf.Graph()
with g.as_default():
    tf.set_random_seed(5)
    d = tfd.Dirichlet([[0.5, 2.0, 3.0], [2.0, 1.5, 4.0]])
    x = tf.constant([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])
    outs = [d.log_prob(x), d.prob(x), d.entropy(), d.mean(), d.variance(), d.stddev(),
            d.sample([2], seed=3), d.batch_shape_tensor()]
    with tf.Session() as s:
        r = s.run(outs)
    try:
        d.mode()
        mode_error = None
    except ValueError as e:
        mode_error = "Dimensions must be equal" in str(e)
meta = [[o.name.split("/")[:2] for o in outs], [str(d.batch_shape), str(d.event_shape)],
        [o.shape.as_list() for o in outs], mode_error]
print(json.dumps([v.tolist() for v in r] + [meta]))
"""


@requires_tf
def test_dirichlet_equal_tf():
    """Values, seeded samples (random_gamma), shapes, scopes; mode() fails at graph
    construction for a batch as in TF (its reduce_all drops the event axis)."""
    ours, theirs = _ours_more(_PROGRAM_DIRICHLET), run_tf_json(_PROGRAM_DIRICHLET)
    for i, (a, b) in enumerate(zip(ours[:-1], theirs[:-1])):
        np.testing.assert_allclose(
            np.array(a, float), np.array(b, float), rtol=1e-5, atol=1e-6, err_msg=str(i)
        )
    assert ours[-1] == theirs[-1]
    assert ours[-1][-1] is True
