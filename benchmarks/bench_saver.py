"""Saver throughput: tf.train.Saver save + restore of ~100 MB in 50 float32 variables,
on tfgraph and on real TensorFlow (in a subprocess of $TFGRAPH_TF_PYTHON), same code.

    python benchmarks/bench_saver.py [--mb 100] [--variables 50] [--repeat 5] [--rounds 3]

Each side builds the variables, loads random values, then times `saver.save` (bundle,
`checkpoint` state file; no .meta) and `saver.restore` (all variables into a fresh
session). The two sides run alternately, `--rounds` processes each, `--repeat` timings
per process; the best time per side is reported in MB/s with the tfgraph/TF ratio
(> 1: tfgraph is faster). Machines shared with other jobs make single runs noisy.
Neither side fsyncs by default (TF never does; tfgraph only with TFGRAPH_FSYNC=1);
pass --fsync to time tfgraph with fsync.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[0]))

from _common import ratio, run_tf, run_tfgraph

CODE = """
n_vars, n_elems, repeat, root, fsync = {n_vars}, {n_elems}, {repeat}, {root!r}, {fsync}
os.environ["TFGRAPH_FSYNC"] = "1" if fsync else "0"
rng = np.random.default_rng(0)
variables = [tf.Variable(tf.zeros([n_elems]), name="layer_%02d/kernel" % i) for i in range(n_vars)]
saver = tf.train.Saver(max_to_keep=None)
sess = tf.Session()
for v in variables:
    v.load(rng.standard_normal(n_elems, dtype=np.float32), sess)
prefix = os.path.join(root, "model")
save_times, restore_times = [], []
for _ in range(repeat):
    t0 = time.perf_counter()
    saver.save(sess, prefix, write_meta_graph=False)
    save_times.append(time.perf_counter() - t0)
for _ in range(repeat):
    fresh = tf.Session()
    t0 = time.perf_counter()
    saver.restore(fresh, prefix)
    restore_times.append(time.perf_counter() - t0)
    check = fresh.run(variables[-1])
    fresh.close()
assert np.array_equal(check, sess.run(variables[-1]))
mb = n_vars * n_elems * 4 / 1e6
print(json.dumps({{"mb": mb, "save": min(save_times), "restore": min(restore_times)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--variables", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where to write (default: a temp dir)")
    parser.add_argument("--fsync", action="store_true", help="tfgraph fsyncs (TF never does)")
    args = parser.parse_args()
    n_elems = int(args.mb * 1e6 / 4 / args.variables)
    root = Path(args.dir or tempfile.mkdtemp(prefix="bench_saver_"))
    results: dict = {}
    try:
        for _ in range(args.rounds):
            for side, runner in (("tfgraph", run_tfgraph), ("tf", run_tf)):
                where = root / side
                where.mkdir(parents=True, exist_ok=True)
                code = CODE.format(
                    n_vars=args.variables,
                    n_elems=n_elems,
                    repeat=args.repeat,
                    root=str(where),
                    fsync=side == "tfgraph" and args.fsync,
                )
                r = runner(code)
                if r is None:
                    continue
                best = results.setdefault(side, r)
                best["save"] = min(best["save"], r["save"])
                best["restore"] = min(best["restore"], r["restore"])
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    mine = results["tfgraph"]
    runs = args.rounds * args.repeat
    print(f"{mine['mb']:.1f} MB in {args.variables} float32 variables, best of {runs} runs")
    print(f"{'':10s}{'save MB/s':>12s}{'restore MB/s':>14s}")
    rows = [("tfgraph", mine)]
    if results.get("tf"):
        rows.append(("tf", results["tf"]))
    for name, r in rows:
        print(f"{name:10s}{r['mb'] / r['save']:12.0f}{r['mb'] / r['restore']:14.0f}")
    theirs = results.get("tf")
    if theirs:
        print(
            f"ratio tfgraph/tf: save {ratio(theirs['save'], mine['save'])}, "
            f"restore {ratio(theirs['restore'], mine['restore'])}"
            + (" (tfgraph fsyncs, TF does not)" if args.fsync else " (neither fsyncs)")
        )


if __name__ == "__main__":
    main()
