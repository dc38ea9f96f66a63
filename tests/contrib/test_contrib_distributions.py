"""tf.contrib.distributions (TF 1.15's contrib; TF 2.21 has none, so values are checked
against scipy.stats and closed forms): densities, cdfs, moments and entropies on
batches, seeded sample shapes and moments, reparameterization gradients (finite
differences), KL divergences, bijectors, static/dynamic shapes and validate_args."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

import tfgraph as tf

tfd = tf.contrib.distributions
tfb = tfd.bijectors


def _run(fn, feed=None):
    """Build `fn()` (a tensor or list) in a fresh graph and evaluate it."""
    g = tf.Graph()
    with g.as_default():
        out = fn()
        with tf.Session() as sess:
            return sess.run(out, feed)


# -- namespace -------------------------------------------------------------------------------


def test_reexports_tf_distributions_and_bijectors():
    for name in tf.distributions.__all__:
        assert getattr(tfd, name) is getattr(tf.distributions, name)
    for name in (
        "MultivariateNormalDiag",
        "MultivariateNormalTriL",
        "MultivariateNormalDiagWithSoftplusScale",
        "MultivariateNormalDiagPlusLowRank",
        "OneHotCategorical",
        "RelaxedOneHotCategorical",
        "RelaxedBernoulli",
        "Poisson",
        "Binomial",
        "Geometric",
        "NegativeBinomial",
        "HalfNormal",
        "Logistic",
        "Chi2",
        "InverseGamma",
        "Deterministic",
        "Independent",
        "TransformedDistribution",
        "NormalWithSoftplusScale",
        "BernoulliWithSigmoidProbs",
        "softplus_inverse",
        "fill_triangular",
    ):
        obj = getattr(tfd, name)
        if name[0].isupper():
            assert issubclass(obj, tfd.Distribution), name
        else:
            assert callable(obj)
        assert name in tfd.__all__
    for name in ("Exp", "Identity", "Affine", "AffineScalar", "Softplus", "Sigmoid", "Invert"):
        assert issubclass(getattr(tfb, name), tfb.Bijector)
    assert issubclass(tfb.Chain, tfb.Bijector)
    with tf.Graph().as_default():
        assert tfb.Chain([tfb.Exp(), tfb.Softplus()]).name == "chain_of_exp_of_softplus"
        assert tfb.Invert(tfb.Exp()).name == "invert_exp"
    import tfgraph.contrib.distributions.bijectors as imported

    assert imported is tfb


# -- scalar distributions vs scipy -----------------------------------------------------------

_A = np.array([0.5, 1.5, 3.0])
_B = np.array([1.0, 0.7, 2.5])


def _scalar_cases():
    return {
        "logistic": (
            lambda: tfd.Logistic(_A, _B),
            stats.logistic(_A, _B),
            np.array([[0.3, -1.0, 4.0], [2.0, 1.5, -0.5]]),
            ("log_prob", "cdf", "entropy", "mean", "variance", "stddev", "mode"),
        ),
        "half_normal": (
            lambda: tfd.HalfNormal(_B),
            stats.halfnorm(scale=_B),
            np.array([[0.3, 1.0, 4.0], [2.0, 0.1, 0.5]]),
            ("log_prob", "cdf", "entropy", "mean", "variance", "stddev"),
        ),
        "inverse_gamma": (
            lambda: tfd.InverseGamma(_A + 2.5, _B),
            stats.invgamma(_A + 2.5, scale=_B),
            np.array([[0.3, 1.0, 4.0], [2.0, 0.1, 0.5]]),
            ("log_prob", "cdf", "entropy", "mean", "variance"),
        ),
        "chi2": (
            lambda: tfd.Chi2(_A * 2),
            stats.chi2(_A * 2),
            np.array([[0.3, 1.0, 4.0], [2.0, 0.1, 0.5]]),
            ("log_prob", "cdf", "entropy", "mean", "variance"),
        ),
        "poisson": (
            lambda: tfd.Poisson(rate=_A),
            stats.poisson(_A),
            np.array([[0.0, 1.0, 4.0], [2.0, 3.0, 5.0]]),
            ("log_prob", "cdf", "mean", "variance", "stddev"),
        ),
        "binomial": (
            lambda: tfd.Binomial(total_count=[5.0, 8.0, 3.0], probs=[0.2, 0.5, 0.9]),
            stats.binom([5, 8, 3], [0.2, 0.5, 0.9]),
            np.array([[0.0, 1.0, 3.0], [2.0, 8.0, 2.0]]),
            ("log_prob", "cdf", "mean", "variance"),
        ),
        "geometric": (
            lambda: tfd.Geometric(probs=[0.2, 0.5, 0.9]),
            stats.geom([0.2, 0.5, 0.9], loc=-1),
            np.array([[0.0, 1.0, 3.0], [2.0, 7.0, 2.0]]),
            ("log_prob", "cdf", "entropy", "mean", "variance"),
        ),
        "negative_binomial": (
            lambda: tfd.NegativeBinomial(total_count=[2.0, 3.5, 1.0], probs=[0.2, 0.5, 0.7]),
            stats.nbinom([2.0, 3.5, 1.0], 1.0 - np.array([0.2, 0.5, 0.7])),
            np.array([[0.0, 1.0, 3.0], [2.0, 7.0, 2.0]]),
            ("log_prob", "cdf", "mean", "variance"),
        ),
    }


@pytest.mark.parametrize("case", sorted(_scalar_cases()))
def test_scalar_values_match_scipy(case):
    make, ref, x, methods = _scalar_cases()[case]

    def build():
        d = make()
        assert d.batch_shape.as_list() == [3] and d.event_shape.as_list() == []
        out = []
        for m in methods:
            out.append(getattr(d, m)(x) if m in ("log_prob", "cdf") else getattr(d, m)())
        return out + [d.batch_shape_tensor(), d.event_shape_tensor(), d.prob(x)]

    got = _run(build)
    expect = {
        "log_prob": ref.logpmf(x) if hasattr(ref, "logpmf") else ref.logpdf(x),
        "cdf": ref.cdf(x),
        "entropy": ref.entropy(),
        "mean": ref.mean(),
        "variance": ref.var(),
        "stddev": ref.std(),
        "mode": ref.mean(),  # (logistic: mode = loc)
    }
    for m, value in zip(methods, got):
        np.testing.assert_allclose(value, expect[m], rtol=1e-5, atol=1e-8, err_msg=f"{case}.{m}")
    np.testing.assert_array_equal(got[-3], [3])
    np.testing.assert_array_equal(got[-2], np.zeros([0]))
    np.testing.assert_allclose(got[-1], np.exp(expect["log_prob"]), rtol=1e-5)


def test_binomial_logits_mode_and_no_sampling():
    def build():
        d = tfd.Binomial(total_count=4.0, logits=[0.0, 1.0])
        return [d.probs, d.mode(), d.log_prob([2.0, 4.0])]

    probs, mode, lp = _run(build)
    p = special.expit([0.0, 1.0])
    np.testing.assert_allclose(probs, p)
    np.testing.assert_allclose(mode, np.floor(5 * p))
    np.testing.assert_allclose(lp, stats.binom(4, p).logpmf([2, 4]), rtol=1e-6)
    with tf.Graph().as_default(), pytest.raises(NotImplementedError):
        tfd.Binomial(total_count=4.0, probs=0.3).sample(2)


def test_poisson_log_rate_mode_and_softplus_variants():
    def build():
        p = tfd.Poisson(log_rate=np.log([0.5, 3.0]))
        n = tfd.NormalWithSoftplusScale(loc=[0.0, 1.0], scale=[-1.0, 2.0])
        b = tfd.BernoulliWithSigmoidProbs(logits=[0.3, -2.0])
        m = tfd.MultivariateNormalDiagWithSoftplusScale(loc=[0.0, 1.0], scale_diag=[-1.0, 2.0])
        be = tfd.BetaWithSoftplusConcentration([-1.0, 2.0], [2.0, -1.0])
        st = tfd.StudentTWithAbsDfSoftplusScale([-3.5, 5.0], 0.0, [-1.0, 2.0])
        tril = tfd.matrix_diag_transform([[-1.0, 0.0], [3.0, 2.0]], transform=tf.exp)
        ex = tfd.ExponentialWithSoftplusRate([-1.0, 2.0])
        ga = tfd.GammaWithSoftplusConcentrationRate([-1.0, 2.0], [2.0, -1.0])
        la = tfd.LaplaceWithSoftplusScale(0.0, [-1.0, 2.0])
        ig = tfd.InverseGammaWithSoftplusConcentrationRate([-1.0, 2.0], [2.0, -1.0])
        c2 = tfd.Chi2WithAbsDf([-3.5, 2.0])
        extra.extend(
            [
                be.concentration1,
                be.concentration0,
                st.df,
                st.scale,
                tril,
                ex.rate,
                ga.concentration,
                ga.rate,
                la.scale,
                ig.concentration,
                ig.rate,
                c2.df,
            ]
        )
        return [
            p.rate,
            p.mode(),
            n.scale,
            n.log_prob(0.5),
            b.probs,
            b.log_prob([1, 0]),
            m.stddev(),
            n.name,
            m.name,
        ]

    sp = np.log1p(np.exp([-1.0, 2.0]))
    extra = []
    rate, mode, nscale, nlp, bprobs, blp, mstd, *more = _run(lambda: build()[:7] + extra)
    c1, c0, df, stscale, tril, exr, gc, gr, ls, igc, igr, c2df = more
    sp2 = sp[::-1]
    for got, want in [
        (c1, sp),
        (c0, sp2),
        (stscale, sp),
        (exr, sp),
        (gc, sp),
        (gr, sp2),
        (ls, sp),
        (igc, sp),
        (igr, sp2),
    ]:
        np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_array_equal(df, [3.0, 5.0])
    np.testing.assert_array_equal(c2df, [3.0, 2.0])
    np.testing.assert_allclose(tril, [[np.exp(-1.0), 0.0], [3.0, np.exp(2.0)]], rtol=1e-6)
    np.testing.assert_allclose(rate, [0.5, 3.0], rtol=1e-6)
    np.testing.assert_allclose(mode, [0.0, 3.0])
    np.testing.assert_allclose(nscale, sp, rtol=1e-6)
    np.testing.assert_allclose(nlp, stats.norm([0.0, 1.0], sp).logpdf(0.5), rtol=1e-5)
    np.testing.assert_allclose(bprobs, special.expit([0.3, -2.0]), rtol=1e-6)
    np.testing.assert_allclose(
        blp, np.log([special.expit(0.3), 1 - special.expit(-2.0)]), rtol=1e-5
    )
    np.testing.assert_allclose(mstd, sp, rtol=1e-6)
    with tf.Graph().as_default():
        n = tfd.NormalWithSoftplusScale(0.0, 1.0)
        assert n.name == "NormalWithSoftplusScale/"
        assert n.sample(2).name.startswith("NormalWithSoftplusScale/sample/")


# -- sampling --------------------------------------------------------------------------------


def _sample_cases():
    return {
        "logistic": (lambda: tfd.Logistic(_A, _B), stats.logistic(_A, _B)),
        "half_normal": (lambda: tfd.HalfNormal(_B), stats.halfnorm(scale=_B)),
        "inverse_gamma": (
            lambda: tfd.InverseGamma(_A + 4.0, _B),
            stats.invgamma(_A + 4.0, scale=_B),
        ),
        "chi2": (lambda: tfd.Chi2(_A * 2), stats.chi2(_A * 2)),
        "poisson": (lambda: tfd.Poisson(rate=_A), stats.poisson(_A)),
        "geometric": (
            lambda: tfd.Geometric(probs=[0.2, 0.5, 0.9]),
            stats.geom([0.2, 0.5, 0.9], loc=-1),
        ),
        "negative_binomial": (
            lambda: tfd.NegativeBinomial(total_count=[2.0, 3.5, 1.0], probs=[0.2, 0.5, 0.7]),
            stats.nbinom([2.0, 3.5, 1.0], 1.0 - np.array([0.2, 0.5, 0.7])),
        ),
    }


@pytest.mark.parametrize("case", sorted(_sample_cases()))
def test_sample_shapes_moments_and_seeds(case):
    make, ref = _sample_cases()[case]

    def build():
        d = make()
        s = d.sample([4000, 2], seed=7)
        assert s.shape.as_list() == [4000, 2, 3]
        return s

    s1 = _run(build)
    s2 = _run(build)
    np.testing.assert_array_equal(s1, s2)  # (op seed: reproducible)
    assert s1.shape == (4000, 2, 3)
    flat = s1.reshape(-1, 3)
    np.testing.assert_allclose(flat.mean(0), ref.mean(), rtol=0.06, atol=0.02)
    np.testing.assert_allclose(flat.std(0), ref.std(), rtol=0.1, atol=0.02)


def test_modes_and_undefined_moments():
    def build():
        return [
            tfd.InverseGamma([3.0, 0.5], [2.0, 1.0]).mode(),
            tfd.InverseGamma([3.0, 0.5], [2.0, 1.0]).mean(),
            tfd.InverseGamma([3.0, 1.5], [2.0, 1.0]).variance(),
            tfd.Geometric(probs=[0.3, 0.9]).mode(),
            tfd.NegativeBinomial([3.0, 0.5], probs=[0.6, 0.6]).mode(),
            tfd.HalfNormal([1.0, 2.0]).mode(),
            tfd.Poisson(rate=[0.5, 3.7]).mode(),
            tfd.Chi2([4.0, 1.0]).mode(),
        ]

    ig_mode, ig_mean, ig_var, geo, nb, hn, po, chi = _run(build)
    np.testing.assert_allclose(ig_mode, [2.0 / 4.0, 1.0 / 1.5], rtol=1e-6)
    np.testing.assert_allclose(ig_mean, [1.0, np.nan], rtol=1e-6)
    np.testing.assert_allclose(ig_var, [stats.invgamma(3.0, scale=2.0).var(), np.nan], rtol=1e-5)
    np.testing.assert_array_equal(geo, [0.0, 0.0])
    np.testing.assert_array_equal(nb, [np.floor(2.0 * 1.5), 0.0])
    np.testing.assert_array_equal(hn, [0.0, 0.0])
    np.testing.assert_array_equal(po, [0.0, 3.0])
    np.testing.assert_allclose(chi, [2.0, np.nan])
    with pytest.raises(tf.errors.InvalidArgumentError):
        _run(lambda: tfd.InverseGamma(0.5, 1.0, allow_nan_stats=False).mean())


def test_deterministic():
    def build():
        d = tfd.Deterministic(loc=[1.0, 2.0], atol=0.1)
        return [
            d.prob([[1.05, 2.5], [0.8, 2.0]]),
            d.cdf([0.95, 1.5]),
            d.sample(3, seed=1),
            d.mean(),
            d.variance(),
            d.entropy(),
            d.batch_shape_tensor(),
        ]

    prob, cdf, s, mean, var, ent, bs = _run(build)
    np.testing.assert_array_equal(prob, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(cdf, [1.0, 0.0])
    np.testing.assert_array_equal(s, [[1.0, 2.0]] * 3)
    np.testing.assert_array_equal(mean, [1.0, 2.0])
    np.testing.assert_array_equal(var, [0.0, 0.0])
    np.testing.assert_array_equal(ent, [0.0, 0.0])
    np.testing.assert_array_equal(bs, [2])


# -- multivariate normals --------------------------------------------------------------------

_LOC = np.array([[0.5, -1.0, 2.0], [0.0, 1.0, -0.5]])
_DIAG = np.array([[1.0, 0.5, 2.0], [0.3, 1.2, 0.8]])
_TRIL = np.array(
    [
        [[1.0, 0.0, 0.0], [0.4, 0.7, 0.0], [-0.3, 0.2, 1.5]],
        [[0.6, 0.0, 0.0], [0.1, 1.1, 0.0], [0.5, -0.4, 0.9]],
    ]
)
_X = np.array([[[0.1, 0.2, -0.3], [1.0, 0.5, 0.0]], [[2.0, -1.0, 1.0], [0.0, 0.0, 0.0]]])


def _mvn_check(make, covs):
    def build():
        d = make()
        assert d.batch_shape.as_list() == [2] and d.event_shape.as_list() == [3]
        return [
            d.log_prob(_X),
            d.prob(_X),
            d.entropy(),
            d.mean(),
            d.mode(),
            d.covariance(),
            d.variance(),
            d.stddev(),
            d.batch_shape_tensor(),
            d.event_shape_tensor(),
        ]

    lp, p, ent, mean, mode, cov, var, std, bs, es = _run(build)
    refs = [stats.multivariate_normal(_LOC[i], covs[i]) for i in range(2)]
    np.testing.assert_allclose(
        lp, np.stack([refs[i].logpdf(_X[:, i]) for i in range(2)], -1), rtol=1e-5
    )
    np.testing.assert_allclose(p, np.exp(lp), rtol=1e-5)
    np.testing.assert_allclose(ent, [r.entropy() for r in refs], rtol=1e-5)
    np.testing.assert_allclose(mean, _LOC)
    np.testing.assert_allclose(mode, _LOC)
    np.testing.assert_allclose(cov, covs, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(var, np.diagonal(covs, axis1=-2, axis2=-1), rtol=1e-5)
    np.testing.assert_allclose(std, np.sqrt(np.diagonal(covs, axis1=-2, axis2=-1)), rtol=1e-5)
    np.testing.assert_array_equal(bs, [2])
    np.testing.assert_array_equal(es, [3])

    def sample():
        return make().sample(20000, seed=11)

    s = _run(sample)
    assert s.shape == (20000, 2, 3)
    for i in range(2):
        np.testing.assert_allclose(s[:, i].mean(0), _LOC[i], atol=0.06)
        np.testing.assert_allclose(np.cov(s[:, i].T), covs[i], atol=0.12 * np.abs(covs[i]).max())


def test_mvn_diag_matches_scipy():
    _mvn_check(
        lambda: tfd.MultivariateNormalDiag(_LOC, _DIAG),
        np.stack([np.diag(d**2) for d in _DIAG]),
    )


def test_mvn_diag_identity_multiplier_and_defaults():
    def build():
        a = tfd.MultivariateNormalDiag(loc=_LOC[0], scale_identity_multiplier=2.0)
        b = tfd.MultivariateNormalDiag(_LOC[0], _DIAG[0], scale_identity_multiplier=1.0)
        c = tfd.MultivariateNormalDiag(loc=_LOC[0])
        return [a.log_prob(_X[0, 0]), b.stddev(), c.log_prob(_X[0, 0])]

    la, sb, lc = _run(build)
    np.testing.assert_allclose(
        la, stats.multivariate_normal(_LOC[0], 4 * np.eye(3)).logpdf(_X[0, 0]), rtol=1e-5
    )
    np.testing.assert_allclose(sb, _DIAG[0] + 1.0)
    np.testing.assert_allclose(lc, stats.multivariate_normal(_LOC[0]).logpdf(_X[0, 0]), rtol=1e-5)


def test_mvn_tril_matches_scipy():
    upper_noise = _TRIL + np.triu(np.ones((3, 3)), 1) * 5.0  # (ignored: only the lower part)
    _mvn_check(
        lambda: tfd.MultivariateNormalTriL(_LOC, upper_noise),
        np.einsum("bij,bkj->bik", _TRIL, _TRIL),
    )


def test_mvn_full_covariance_and_low_rank_match_scipy():
    covs = np.einsum("bij,bkj->bik", _TRIL, _TRIL)
    _mvn_check(lambda: tfd.MultivariateNormalFullCovariance(_LOC, covs), covs)
    u = np.array([[[1.0], [0.5], [-0.2]], [[0.3], [0.0], [0.7]]])
    v = np.array([[0.5], [2.0]])
    scale = np.stack([np.diag(_DIAG[i]) + (u[i] * v[i]) @ u[i].T for i in range(2)])
    _mvn_check(
        lambda: tfd.MultivariateNormalDiagPlusLowRank(
            _LOC, scale_diag=_DIAG, scale_perturb_factor=u, scale_perturb_diag=v
        ),
        np.einsum("bij,bkj->bik", scale, scale),
    )


def test_mvn_dynamic_shapes_and_broadcast_batch():
    def build():
        loc = tf.placeholder(tf.float32, [None, None])
        d = tfd.MultivariateNormalDiag(loc, [1.0, 2.0, 3.0])
        assert d.batch_shape.as_list() == [None] and d.event_shape.as_list() == [3]
        e = tfd.MultivariateNormalTriL(np.zeros(3, np.float32), _TRIL.astype(np.float32))
        assert e.batch_shape.as_list() == [2]
        h = tfd.HalfNormal(loc)
        assert h.batch_shape.as_list() == [None, None]
        return [
            d.batch_shape_tensor(),
            d.event_shape_tensor(),
            d.sample(2, seed=1),
            e.log_prob(np.zeros(3, np.float32)),
            h.batch_shape_tensor(),
        ]

    bs, es, s, lp, hbs = _run_with_feed(build)
    np.testing.assert_array_equal(hbs, [4, 3])
    np.testing.assert_array_equal(bs, [4])
    np.testing.assert_array_equal(es, [3])
    assert s.shape == (2, 4, 3)
    assert lp.shape == (2,)


def _run_with_feed(build):
    g = tf.Graph()
    with g.as_default():
        out = build()
        loc = g.get_operations()[0].outputs[0]
        with tf.Session() as sess:
            return sess.run(out, {loc: np.zeros((4, 3), np.float32)})


# -- OneHotCategorical, relaxed distributions ------------------------------------------------

_LOGITS = np.array([[1.0, 2.0, 0.5], [0.1, 0.1, 3.0]])


def test_one_hot_categorical():
    def build():
        d = tfd.OneHotCategorical(logits=_LOGITS)
        assert d.batch_shape.as_list() == [2] and d.event_shape.as_list() == [3]
        x = np.array([[[0, 1, 0], [0, 0, 1]], [[1, 0, 0], [1, 0, 0]]])
        return [
            d.log_prob(x),
            d.entropy(),
            d.mode(),
            d.mean(),
            d.covariance(),
            d.sample(5000, seed=3),
            d.event_shape_tensor(),
        ]

    lp, ent, mode, mean, cov, s, es = _run(build)
    p = special.softmax(_LOGITS, -1)
    np.testing.assert_allclose(lp, np.log([[p[0, 1], p[1, 2]], [p[0, 0], p[1, 0]]]), rtol=1e-5)
    np.testing.assert_allclose(ent, [stats.entropy(q) for q in p], rtol=1e-5)
    np.testing.assert_array_equal(mode, [[0, 1, 0], [0, 0, 1]])
    np.testing.assert_allclose(mean, p, rtol=1e-6)
    np.testing.assert_allclose(cov[0], np.diag(p[0]) - np.outer(p[0], p[0]), rtol=1e-5, atol=1e-7)
    assert s.shape == (5000, 2, 3) and s.dtype == np.int32
    np.testing.assert_array_equal(s.sum(-1), 1)
    np.testing.assert_allclose(s.mean(0), p, atol=0.03)
    np.testing.assert_array_equal(es, [3])


def _concrete_log_density(x, logits, t):
    """The Concrete (relaxed one-hot) density at a point x of the simplex."""
    k = x.shape[-1]
    log_norm = special.gammaln(k) + (k - 1) * np.log(t)
    y = logits - t * np.log(x)
    return log_norm + np.sum(y - np.log(x), -1) - k * special.logsumexp(y, axis=-1)


def test_relaxed_one_hot_categorical():
    x = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])

    def build():
        d = tfd.RelaxedOneHotCategorical(0.7, logits=_LOGITS)
        assert d.batch_shape.as_list() == [2] and d.event_shape.as_list() == [3]
        assert d.reparameterization_type is tfd.FULLY_REPARAMETERIZED
        return [d.log_prob(x), d.sample(4000, seed=2), d.temperature]

    lp, s, t = _run(build)
    np.testing.assert_allclose(lp, _concrete_log_density(x, _LOGITS, 0.7), rtol=1e-5)
    assert s.shape == (4000, 2, 3)
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-5)
    assert (s > 0).all()
    # the Gumbel-max property: the argmax of a relaxed sample is categorical(probs)
    freq = np.stack([np.bincount(s[:, i].argmax(-1), minlength=3) / 4000 for i in range(2)])
    np.testing.assert_allclose(freq, special.softmax(_LOGITS, -1), atol=0.03)
    assert t == pytest.approx(0.7)


def test_relaxed_bernoulli():
    y = np.array([[0.2, 0.7], [0.9, 0.05]])
    logits, t = np.array([0.3, -1.0]), 0.5

    def build():
        d = tfd.RelaxedBernoulli(t, logits=logits)
        assert d.batch_shape.as_list() == [2] and d.event_shape.as_list() == []
        return [d.log_prob(y), d.sample(4000, seed=4), d.cdf(y), d.probs]

    lp, s, cdf, probs = _run(build)
    # y = sigmoid(X), X ~ Logistic(logits / t, 1 / t)
    x = special.logit(y)
    ref = stats.logistic(logits / t, 1 / t)
    np.testing.assert_allclose(lp, ref.logpdf(x) - np.log(y * (1 - y)), rtol=1e-5)
    np.testing.assert_allclose(cdf, ref.cdf(x), rtol=1e-5)
    assert s.shape == (4000, 2) and ((s > 0) & (s < 1)).all()
    np.testing.assert_allclose((s > 0.5).mean(0), special.expit(logits), atol=0.03)
    np.testing.assert_allclose(probs, special.expit(logits), rtol=1e-6)


# -- reparameterization gradients ------------------------------------------------------------


def _numerical_vs_symbolic(make, param_value, n=3):
    """d sum(sample) / d param by tf.gradients vs central differences (same seed, fresh
    sessions: the same noise)."""
    param_value = np.asarray(param_value, np.float64)

    def build():
        p = tf.placeholder(tf.float64, param_value.shape)
        d = make(p)
        assert d.reparameterization_type is tfd.FULLY_REPARAMETERIZED
        s = tf.reduce_sum(
            d.sample(n, seed=9)
            * np.linspace(0.5, 1.5, n).reshape(
                (n,) + (1,) * (len(d.batch_shape) + len(d.event_shape))
            )
        )
        return p, s, tf.gradients(s, p)[0]

    g = tf.Graph()
    with g.as_default():
        p, s, grad = build()
        with tf.Session() as sess:
            sym = sess.run(grad, {p: param_value})
        numeric = np.zeros_like(param_value)
        eps = 1e-6
        for idx in np.ndindex(param_value.shape):
            vals = []
            for sign in (1.0, -1.0):
                v = param_value.copy()
                v[idx] += sign * eps
                with tf.Session() as sess:
                    vals.append(sess.run(s, {p: v}))
            numeric[idx] = (vals[0] - vals[1]) / (2 * eps)
    np.testing.assert_allclose(sym, numeric, rtol=1e-4, atol=1e-6)
    assert np.abs(sym).max() > 0


@pytest.mark.parametrize(
    "case",
    [
        "mvn_diag_loc",
        "mvn_diag_scale",
        "mvn_tril",
        "logistic",
        "half_normal",
        "relaxed_one_hot",
        "relaxed_bernoulli",
        "transformed_exp",
        "inverse_gamma",
        "independent",
    ],
)
def test_reparameterization_gradients(case):
    make, value = {
        "mvn_diag_loc": (lambda p: tfd.MultivariateNormalDiag(p, [1.0, 2.0]), [0.5, -1.0]),
        "mvn_diag_scale": (
            lambda p: tfd.MultivariateNormalDiag(tf.zeros([2], tf.float64), p),
            [0.5, 2.0],
        ),
        "mvn_tril": (
            lambda p: tfd.MultivariateNormalTriL(tf.zeros([2], tf.float64), p),
            [[1.0, 0.0], [0.3, 0.8]],
        ),
        "logistic": (lambda p: tfd.Logistic(p, p * 0.5 + 1.0), [0.2, 1.0]),
        "half_normal": (lambda p: tfd.HalfNormal(p), [0.5, 2.0]),
        "relaxed_one_hot": (
            lambda p: tfd.RelaxedOneHotCategorical(0.5, logits=p),
            [0.1, -0.5, 1.0],
        ),
        "relaxed_bernoulli": (lambda p: tfd.RelaxedBernoulli(0.6, logits=p), [0.3, -1.0]),
        "transformed_exp": (
            lambda p: tfd.TransformedDistribution(tfd.Normal(p, 0.5), tfb.Exp()),
            [0.0, 0.4],
        ),
        "inverse_gamma": (
            lambda p: tfd.InverseGamma(tf.constant(3.0, tf.float64), p),
            [0.5, 2.0],
        ),
        "independent": (lambda p: tfd.Independent(tfd.Normal(p, 2.0), 1), [0.5, 2.0]),
    }[case]
    _numerical_vs_symbolic(make, value)


# -- KL divergences --------------------------------------------------------------------------


def _kl_mvn_np(m0, s0, m1, s1):
    c0, c1 = s0 @ s0.T, s1 @ s1.T
    inv = np.linalg.inv(c1)
    d = m1 - m0
    k = len(m0)
    return 0.5 * (
        np.trace(inv @ c0) + d @ inv @ d - k + np.log(np.linalg.det(c1) / np.linalg.det(c0))
    )


def test_kl_mvn_pairs_match_closed_form():
    def build():
        a = tfd.MultivariateNormalDiag(_LOC, _DIAG)
        b = tfd.MultivariateNormalDiag(_LOC[::-1], _DIAG[::-1] + 0.5)
        c = tfd.MultivariateNormalTriL(_LOC[::-1], _TRIL)
        return [
            tfd.kl_divergence(a, b),
            tfd.kl_divergence(a, c),
            tfd.kl_divergence(c, a),
            tfd.kl_divergence(c, c),
            a.kl_divergence(b),
        ]

    ab, ac, ca, cc, ab2 = _run(build)
    for i in range(2):
        da, db = np.diag(_DIAG[i]), np.diag(_DIAG[::-1][i] + 0.5)
        np.testing.assert_allclose(ab[i], _kl_mvn_np(_LOC[i], da, _LOC[::-1][i], db), rtol=1e-5)
        np.testing.assert_allclose(
            ac[i], _kl_mvn_np(_LOC[i], da, _LOC[::-1][i], _TRIL[i]), rtol=1e-5
        )
        np.testing.assert_allclose(
            ca[i], _kl_mvn_np(_LOC[::-1][i], _TRIL[i], _LOC[i], da), rtol=1e-5
        )
    np.testing.assert_allclose(cc, 0.0, atol=1e-6)
    np.testing.assert_allclose(ab2, ab)


def test_kl_vae_style_standard_normal_prior():
    # the usual VAE KL term: KL(N(mu, diag(sigma^2)) || N(0, I)) in closed form
    mu, sigma = np.array([[0.5, -1.0], [0.0, 0.2]]), np.array([[0.8, 1.3], [1.0, 0.4]])

    def build():
        q = tfd.MultivariateNormalDiag(mu, sigma)
        p = tfd.MultivariateNormalDiag(tf.zeros([2], tf.float64), tf.ones([2], tf.float64))
        return tfd.kl_divergence(q, p)

    kl = _run(build)
    ref = 0.5 * np.sum(sigma**2 + mu**2 - 1.0 - np.log(sigma**2), -1)
    np.testing.assert_allclose(kl, ref, rtol=1e-6)


def test_kl_one_hot_half_normal_and_independent():
    logits_b = np.array([[0.0, 0.0, 1.0], [2.0, -1.0, 0.0]])

    def build():
        oa, ob = tfd.OneHotCategorical(logits=_LOGITS), tfd.OneHotCategorical(logits=logits_b)
        ha, hb = tfd.HalfNormal([1.0, 2.0]), tfd.HalfNormal([1.5, 0.5])
        ia = tfd.Independent(tfd.Normal(_LOC, _DIAG), 1)
        ib = tfd.Independent(tfd.Normal(0.0 * _LOC, 1.0 + 0.0 * _DIAG), 1)
        return [
            tfd.kl_divergence(oa, ob),
            tfd.kl_divergence(ha, hb),
            tfd.kl_divergence(ia, ib),
            ha.sample(200000, seed=5),
            ha.log_prob(ha.sample(200000, seed=5)) - hb.log_prob(ha.sample(200000, seed=5)),
        ]

    ko, kh, ki, _, mc = _run(build)
    pa, pb = special.softmax(_LOGITS, -1), special.softmax(logits_b, -1)
    np.testing.assert_allclose(ko, np.sum(pa * np.log(pa / pb), -1), rtol=1e-5)
    np.testing.assert_allclose(kh, mc.mean(0), rtol=0.03)  # vs Monte Carlo
    ref = np.sum(np.log(1.0 / _DIAG) + (_DIAG**2 + _LOC**2) / 2.0 - 0.5, -1)
    np.testing.assert_allclose(ki, ref, rtol=1e-5)


# -- Independent, bijectors, TransformedDistribution -----------------------------------------


def test_independent_shapes_and_values():
    def build():
        base = tfd.Normal(np.zeros((4, 2, 3)), np.ones((4, 2, 3)))
        d1 = tfd.Independent(base)  # (default: all but the first batch dim)
        d2 = tfd.Independent(base, reinterpreted_batch_ndims=1)
        assert d1.batch_shape.as_list() == [4] and d1.event_shape.as_list() == [2, 3]
        assert d2.batch_shape.as_list() == [4, 2] and d2.event_shape.as_list() == [3]
        x = np.full((4, 2, 3), 0.5)
        return [
            d1.log_prob(x),
            d2.log_prob(x),
            d1.entropy(),
            d1.sample(5, seed=1),
            d1.batch_shape_tensor(),
            d1.event_shape_tensor(),
            d2.mean(),
        ]

    lp1, lp2, ent, s, bs, es, mean = _run(build)
    np.testing.assert_allclose(lp1, np.full(4, 6 * stats.norm.logpdf(0.5)), rtol=1e-6)
    np.testing.assert_allclose(lp2, np.full((4, 2), 3 * stats.norm.logpdf(0.5)), rtol=1e-6)
    np.testing.assert_allclose(ent, np.full(4, 6 * stats.norm.entropy()), rtol=1e-6)
    assert s.shape == (5, 4, 2, 3) and mean.shape == (4, 2, 3)
    np.testing.assert_array_equal(bs, [4])
    np.testing.assert_array_equal(es, [2, 3])
    with tf.Graph().as_default(), pytest.raises(ValueError, match="cannot exceed"):
        tfd.Independent(tfd.Normal([0.0], [1.0]), reinterpreted_batch_ndims=2)


def test_scalar_bijectors_against_numpy():
    x = np.array([-1.5, 0.2, 2.0], np.float32)
    y01 = np.array([0.1, 0.5, 0.8], np.float32)
    ypos = np.array([0.3, 1.0, 4.0], np.float32)

    def build():
        out = []
        for b, yv in [
            (tfb.Exp(), ypos),
            (tfb.Softplus(), ypos),
            (tfb.Softplus(hinge_softness=0.5), ypos),
            (tfb.Sigmoid(), y01),
            (tfb.Identity(), ypos),
            (tfb.AffineScalar(shift=1.0, scale=-2.0), ypos),
            (tfb.Invert(tfb.Exp()), ypos),
            (tfb.Chain([tfb.Exp(), tfb.AffineScalar(shift=0.5, scale=2.0)]), ypos),
        ]:
            out.append(
                [
                    b.forward(x),
                    b.inverse(yv),
                    b.forward_log_det_jacobian(x, event_ndims=0),
                    b.inverse_log_det_jacobian(yv, event_ndims=0),
                    b.inverse_log_det_jacobian(np.stack([yv, yv]), event_ndims=1),
                ]
            )
        return out

    got = _run(build)
    sp = lambda v: np.log1p(np.exp(v))  # noqa: E731
    fwd = [
        np.exp,
        sp,
        lambda v: 0.5 * sp(v / 0.5),
        special.expit,
        lambda v: v,
        lambda v: -2.0 * v + 1.0,
        np.log,
        lambda v: np.exp(2.0 * v + 0.5),
    ]
    inv = [
        np.log,
        lambda v: np.log(np.expm1(v)),
        lambda v: 0.5 * np.log(np.expm1(v / 0.5)),
        special.logit,
        lambda v: v,
        lambda v: (v - 1.0) / -2.0,
        np.exp,
        lambda v: (np.log(v) - 0.5) / 2.0,
    ]
    for i, (f, g, (fx, gy, fldj, ildj, ildj1)) in enumerate(zip(fwd, inv, got)):
        xs = x if i != 6 else ypos  # (Invert(Exp) forward is log: positive inputs)
        if i == 6:
            fx = _run(lambda: tfb.Invert(tfb.Exp()).forward(ypos))
            fldj = _run(lambda: tfb.Invert(tfb.Exp()).forward_log_det_jacobian(ypos, event_ndims=0))
        xs, yy = xs.astype(np.float64), (ypos if i != 3 else y01).astype(np.float64)
        np.testing.assert_allclose(fx, f(xs), rtol=1e-5, err_msg=str(i))
        np.testing.assert_allclose(gy, g(yy), rtol=1e-5, atol=1e-6, err_msg=str(i))
        h = 1e-6
        num_f = np.log(np.abs((f(xs + h) - f(xs - h)) / (2 * h)))
        np.testing.assert_allclose(fldj, num_f, rtol=1e-4, atol=1e-6, err_msg=str(i))
        num_i = np.log(np.abs((g(yy + h) - g(yy - h)) / (2 * h)))
        np.testing.assert_allclose(ildj, num_i, rtol=1e-4, atol=1e-6, err_msg=str(i))
        np.testing.assert_allclose(ildj1, [num_i.sum()] * 2, rtol=1e-4, atol=1e-6)
    with tf.Graph().as_default(), pytest.raises(ValueError):
        tfb.Affine(shift=[1.0]).inverse_log_det_jacobian([1.0], event_ndims=0)


def test_affine_bijector_and_fill_triangular():
    tril = np.array([[2.0, 0.0], [0.5, 1.5]], np.float32)
    x = np.array([[1.0, -1.0], [0.3, 2.0]], np.float32)

    def build():
        a = tfb.Affine(shift=[1.0, -1.0], scale_tril=tril)
        d = tfb.Affine(scale_diag=[2.0, 3.0], scale_identity_multiplier=1.0)
        m = tfb.Affine(scale_identity_multiplier=2.0)
        return [
            a.forward(x),
            a.inverse(a.forward(x)),
            a.inverse_log_det_jacobian(x, 1),
            d.forward(x),
            d.forward_log_det_jacobian(x, 1),
            m.forward_log_det_jacobian(x, 1),
            tfd.fill_triangular([1.0, 2, 3, 4, 5, 6]),
            tfd.fill_triangular([1.0, 2, 3, 4, 5, 6], upper=True),
            tfd.softplus_inverse([0.5, 3.0]),
        ]

    fx, back, ildj, dfx, dldj, mldj, lower, upper, spi = _run(build)
    np.testing.assert_allclose(fx, x @ tril.T + [1.0, -1.0], rtol=1e-6)
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ildj, [-np.log(3.0)] * 2, rtol=1e-6)
    np.testing.assert_allclose(dfx, x * [3.0, 4.0])
    np.testing.assert_allclose(dldj, [np.log(12.0)] * 2, rtol=1e-6)
    np.testing.assert_allclose(mldj, [2 * np.log(2.0)] * 2, rtol=1e-6)
    np.testing.assert_array_equal(lower, [[4, 0, 0], [6, 5, 0], [3, 2, 1]])
    np.testing.assert_array_equal(upper, [[1, 2, 3], [0, 5, 6], [0, 0, 4]])
    np.testing.assert_allclose(spi, np.log(np.expm1([0.5, 3.0])), rtol=1e-6)


def test_transformed_distribution_log_normal_and_affine_mvn():
    x = np.array([[0.5, 1.0, 3.0], [2.0, 0.1, 0.7]])
    loc, scale = np.array([0.0, 0.5, -0.3]), np.array([1.0, 0.4, 2.0])

    def build():
        d = tfd.TransformedDistribution(tfd.Normal(loc, scale), tfb.Exp())
        assert d.batch_shape.as_list() == [3] and d.event_shape.as_list() == []
        assert d.name == "expNormal/"
        base = tfd.Independent(tfd.Normal(np.zeros(2), np.ones(2)), 1)
        mvn = tfd.TransformedDistribution(
            base, tfb.Affine(shift=_LOC[0, :2], scale_tril=_TRIL[0, :2, :2])
        )
        assert mvn.event_shape.as_list() == [2]
        return [
            d.log_prob(x),
            d.cdf(x),
            d.sample([10, 2], seed=4),
            mvn.log_prob(_X[0, :, :2]),
            mvn.entropy(),
            mvn.mean(),
        ]

    lp, cdf, s, mlp, ment, mmean = _run(build)
    ref = stats.lognorm(scale, scale=np.exp(loc))
    np.testing.assert_allclose(lp, ref.logpdf(x), rtol=1e-5)
    np.testing.assert_allclose(cdf, ref.cdf(x), rtol=1e-5)
    assert s.shape == (10, 2, 3) and (s > 0).all()
    t = _TRIL[0, :2, :2]
    mref = stats.multivariate_normal(_LOC[0, :2], t @ t.T)
    np.testing.assert_allclose(mlp, mref.logpdf(_X[0, :, :2]), rtol=1e-5)
    np.testing.assert_allclose(ment, mref.entropy(), rtol=1e-5)
    np.testing.assert_allclose(mmean, _LOC[0, :2], rtol=1e-6)


# -- validate_args ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "poisson_rate",
        "poisson_value",
        "half_normal",
        "logistic",
        "inverse_gamma",
        "chi2",
        "mvn_diag",
        "mvn_tril",
        "binomial_counts",
        "binomial_probs",
        "geometric",
        "negative_binomial",
        "relaxed_temperature",
        "deterministic",
    ],
)
def test_validate_args_rejects_bad_parameters(case):
    v = {"validate_args": True}
    build = {
        "poisson_rate": lambda: tfd.Poisson(rate=[1.0, -1.0], **v).mean(),
        "poisson_value": lambda: tfd.Poisson(rate=1.0, **v).log_prob(1.5),
        "half_normal": lambda: tfd.HalfNormal([-1.0], **v).mean(),
        "logistic": lambda: tfd.Logistic(0.0, 0.0, **v).mean(),
        "inverse_gamma": lambda: tfd.InverseGamma(-1.0, 1.0, **v).mode(),
        "chi2": lambda: tfd.Chi2(-2.0, **v).mean(),
        "mvn_diag": lambda: tfd.MultivariateNormalDiag([0.0, 0.0], [1.0, 0.0], **v).log_prob(
            [0.0, 0.0]
        ),
        "mvn_tril": lambda: tfd.MultivariateNormalTriL(
            [0.0, 0.0], [[1.0, 0.0], [2.0, 0.0]], **v
        ).entropy(),
        "binomial_counts": lambda: tfd.Binomial(3.0, probs=0.5, **v).log_prob(4.0),
        "binomial_probs": lambda: tfd.Binomial(3.0, probs=1.5, **v).mean(),
        "geometric": lambda: tfd.Geometric(probs=[0.5, 1.5], **v).mean(),
        "negative_binomial": lambda: tfd.NegativeBinomial(0.0, probs=0.5, **v).mean(),
        "relaxed_temperature": lambda: tfd.RelaxedBernoulli(-1.0, logits=0.0, **v).log_prob(0.5),
        "deterministic": lambda: tfd.Deterministic(0.0, atol=-1.0, **v).mean(),
    }[case]
    with pytest.raises(tf.errors.InvalidArgumentError):
        _run(build)


def test_validate_args_off_and_construction_errors():
    # without validate_args the same bad inputs are not checked
    assert (_run(lambda: tfd.HalfNormal([-1.0]).mean()) < 0).all()
    assert np.isnan(_run(lambda: tfd.Poisson(rate=[-1.0]).stddev())).all()
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="exactly one"):
            tfd.Poisson(rate=1.0, log_rate=0.0)
        with pytest.raises(ValueError, match="Must pass probs or logits"):
            tfd.OneHotCategorical()
        with pytest.raises(ValueError):
            tfd.MultivariateNormalTriL()
        with pytest.raises(NotImplementedError):
            tfd.kl_divergence(tfd.Poisson(rate=1.0), tfd.Poisson(rate=2.0))
