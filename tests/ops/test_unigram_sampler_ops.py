"""FixedUnigram/LearnedUnigram/AllCandidateSampler (tf.nn and tf.random), compared with
TF: graphs, shapes, expected counts, unique semantics, the learned distribution's updates
and the errors. The draws themselves come from tfgraph's stream (not TF's)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = r"""
def run(s, t):
    try:
        return s.run(t)
    except tf.errors.OpError as e:
        lines = [ln for ln in e.message.splitlines()
                 if ln.strip() and "[[" not in ln and not ln.startswith(("Node:", "  "))]
        return [type(e).__name__, lines[-1]]
t = tf.constant([[1, 2], [3, 1]], tf.int64)
open("/tmp/nnm_vocab.txt", "w").write("a,1\nb,2\nc,4\nd,8\n")
open("/tmp/nnm_badvocab.txt", "w").write("a,1\nb,x\n")
fu = tf.nn.fixed_unigram_candidate_sampler
lu = tf.random.learned_unigram_candidate_sampler
cases = {
  "fixed": fu(t, 2, 3, False, 4, unigrams=[1, 2, 3, 4], seed=1),
  "distort": fu(t, 2, 5, False, 4, unigrams=[1, 2, 3, 4], distortion=0.5, seed=2),
  "shard": fu(t, 2, 3, False, 4, unigrams=[1, 2, 3, 4, 5, 6], num_shards=2, shard=1,
              num_reserved_ids=2),
  "vocab": fu(t, 2, 6, False, 4, vocab_file="/tmp/nnm_vocab.txt", distortion=2.0),
  "vocab_shard": fu(tf.constant([[0, 1]], tf.int64), 2, 2, False, 3,
                    vocab_file="/tmp/nnm_vocab.txt", num_reserved_ids=2, num_shards=2),
  "learned": lu(t, 2, 3, False, 4, seed=3),
  "all": tf.nn.all_candidate_sampler(t, 2, 5, True),
  "all2": tf.random.all_candidate_sampler(t - 1, 2, 3, False, name="everything"),
}
uniq = [fu(t, 2, 4, True, 4, unigrams=[1, 2, 3, 4]), lu(t, 2, 3, True, 4),
        fu(t, 2, 3, True, 6, unigrams=[5, 1, 1, 1, 1, 1])]
bad = [fu(t, 2, 3, False, 4), fu(t, 2, 3, False, 4, vocab_file="/tmp/nnm_vocab.txt",
       unigrams=[1, 2, 3, 4]), fu(t, 2, 3, False, 5, unigrams=[1, 2, 3, 4]),
       fu(t, 2, 5, True, 4, unigrams=[1, 2, 3, 4]), fu(t, 2, 3, False, 3, unigrams=[1, 2, 3]),
       fu(t, 3, 3, False, 4, unigrams=[1, 2, 3, 4]), lu(t, 2, 5, True, 4),
       lu(tf.constant([[7, 2]], tf.int64), 2, 3, False, 4),
       fu(t, 2, 3, False, 2, vocab_file="/tmp/nnm_badvocab.txt"),
       fu(t, 2, 3, False, 2, vocab_file="/tmp/nnm_missing.txt"),
       tf.nn.all_candidate_sampler(t, 2, 3, False)]
result = {
  "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
  "shapes": {k: [str(x.shape) for x in v] for k, v in cases.items()},
  "fields": list(cases["fixed"]._fields) + [type(cases["all"]).__name__],
}
with tf.Session() as s:
    res = {k: s.run(v) for k, v in cases.items()}
    result["learned2"] = s.run(cases["learned"])[1]
    result["learned3"] = s.run(cases["learned"])[1]
    result["counts"] = {k: v[1] for k, v in res.items()}

    trues = {k: s.run(v.true_expected_count.op.inputs[0]) for k, v in cases.items()}

    def consistent(k, v):
        table = {}
        classes = trues[k].ravel().tolist() + v[0].tolist()
        for c, e in zip(classes, v[1].ravel().tolist() + v[2].tolist()):
            if abs(table.setdefault(c, e) - e) > 1e-6:
                return False
        return True

    result["consistent"] = {k: consistent(k, v) for k, v in res.items()}
    result["in_range"] = {k: bool(np.all((v[0] >= 0) & (v[0] < 6))) for k, v in res.items()}
    result["all"] = res["all"]
    result["all2"] = res["all2"]
    u = [s.run(x) for x in uniq]
    result["unique"] = [len(set(x[0].tolist())) for x in u]
    result["errors"] = [run(s, b) for b in bad]
"""


@pytest.mark.tf
@requires_tf
def test_candidate_samplers_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key
    assert all(here["consistent"].values())


def test_fixed_unigram_draws_follow_the_weights():
    code = """
t = tf.constant([[0]], tf.int64)
s = tf.nn.fixed_unigram_candidate_sampler(t, 1, 4000, False, 4, unigrams=[1, 0, 3, 4],
                                          num_reserved_ids=0, seed=7)
result = {"v": tf.Session().run(s.sampled_candidates)}
"""
    counts = np.bincount(run_here(code)["v"], minlength=4) / 4000
    np.testing.assert_allclose(counts, [0.125, 0.0, 0.375, 0.5], atol=0.03)
