"""tf.data.experimental.CsvDataset and make_csv_dataset against real TF: parsed values,
defaults, quoting, column selection, errors, and make_csv_dataset's inferred columns and
types, shuffled order and batches (see common.py)."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.data_api.common import run_both

_FILES = """
        import gzip, os
        f1, f2, f3 = (os.path.join(tmp, n) for n in ("f1.csv", "f2.csv", "f3.csv.gz"))
        open(f1, "w").write("a,b,c,d\\n1,2.5,x,\\"q,1\\"\\n3,,y,z\\n"
                            "5,7.5,NA,\\"say \\"\\"hi\\"\\"\\"\\n")
        open(f2, "w").write("a,b,c,d\\r\\n7,8.5,u,v\\r\\n-2,1e3,t,w\\r\\n")
        with gzip.open(f3, "wt") as g:
            g.write("a;b\\n10;0.25\\n11;0.5\\n")
        def names(ds):
            g = tf.get_default_graph()
            return [[op.name, op.type, [t.name for t in op.inputs]] for op in g.get_operations()]
"""

CASES = {
    "csv_defaults_and_quotes": _FILES
    + """
        ds = tf.data.experimental.CsvDataset(
            [f1, f2], [tf.int32, 0., "", tf.constant(["?"])], header=True, na_value="NA")
        out = [str(ds.element_spec), names(ds)]
        with tf.Session() as s:
            out.append(drain(s, tf.data.make_one_shot_iterator(ds).get_next()))
    """,
    "csv_select_exclude_delim_compression": _FILES
    + """
        a = tf.data.experimental.CsvDataset(f1, [tf.int64, 0.], header=True, select_cols=[0, 1])
        b = tf.data.experimental.CsvDataset(f2, [tf.int32, tf.string], header=True,
                                            select_cols=[0, 2])
        c = tf.data.experimental.CsvDataset(f3, [tf.int64, tf.float64], header=True,
                                            field_delim=";", compression_type="GZIP")
        d = tf.data.experimental.CsvDataset(f1, [""] * 2, use_quote_delim=False,
                                            select_cols=[0, 3])
        with tf.Session() as s:
            out = [drain(s, tf.data.make_one_shot_iterator(x).get_next()) for x in (a, b, c, d)]
    """,
    "csv_errors": _FILES
    + """
        cases = [
            tf.data.experimental.CsvDataset(f1, [tf.int32, tf.float32, tf.string, tf.string],
                                            header=True, na_value="NA"),
            tf.data.experimental.CsvDataset(f1, [tf.int64, 0.]),
            tf.data.experimental.CsvDataset(f1, [tf.int64, 0.], header=True),
            tf.data.experimental.CsvDataset(f1, [0, 0., "", ""], header=True, field_delim="ab"),
        ]
        out = []
        with tf.Session() as s:
            for ds in cases:
                got = []
                try:
                    got = drain(s, tf.data.make_one_shot_iterator(ds).get_next())
                except tf.errors.InvalidArgumentError as e:
                    keys = ["is required but missing", "is not a valid int64: a",
                            "Expect 2 fields but have more in record",
                            "field_delim should be only 1 char"]
                    got.append([k for k in keys if k in e.message])
                out.append(got)
    """,
    "make_csv_dataset_inferred": _FILES
    + """
        ds = tf.data.experimental.make_csv_dataset(
            f1, batch_size=2, label_name="a", shuffle=False, num_epochs=1, na_value="NA")
        out = [str(ds.element_spec), names(ds)]
        out.append(ds._variant_tensor.op.get_attr("legacy_autotune"))  # prefetch(AUTOTUNE)
        with tf.Session() as s:
            out.append(drain(s, tf.data.make_one_shot_iterator(ds).get_next()))
    """,
    "make_csv_dataset_shuffled": _FILES
    + """
        ds = tf.data.experimental.make_csv_dataset(
            os.path.join(tmp, "f*.csv"), batch_size=3, label_name="b", select_columns=["a", "b"],
            shuffle=True, shuffle_seed=3, num_epochs=2, na_value="NA", column_defaults=[0, 0.0])
        e = tf.data.experimental.make_csv_dataset(
            f1, batch_size=2, column_names=["w", "x", "y", "z"], header=False, shuffle=False,
            column_defaults=["", "", "", ""])
        out = [str(ds.element_spec), str(e.element_spec), names(ds)]
        with tf.Session() as s:
            out.append(drain(s, tf.data.make_one_shot_iterator(ds).get_next()))
            n = tf.data.make_one_shot_iterator(e).get_next()
            out.append([s.run(n) for _ in range(3)])
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_tf(name, tmp_path):
    mine, theirs = run_both(CASES[name], tmp_path)
    assert mine == theirs


def test_make_csv_dataset_argument_errors(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="No files match"):
            tf.data.experimental.make_csv_dataset(str(tmp_path / "none*.csv"), 2)
        with pytest.raises(ValueError, match="label_name"):
            tf.data.experimental.make_csv_dataset(str(path), 2, label_name="c")
        with pytest.raises(ValueError, match="Neither is provided"):
            tf.data.experimental.make_csv_dataset(str(path), 2, header=False)
