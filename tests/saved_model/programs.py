"""TF1 programs that write and read SavedModels, run unchanged by tfgraph and by real TF
(`tf` is `tfgraph` or `tensorflow.compat.v1`) in tests/saved_model and by
tools/make_saved_model_goldens.py."""

WRITE = r'''
import os

def write_simple(export_dir, vocab_path):
    """simple_save of a linear model and a vocabulary table (an asset)."""
    with open(vocab_path, "w") as f:
        f.write("apple\nbanana\ncherry\n")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable([[1.0], [2.0], [3.0]], name="w")
        b = tf.get_variable("b", [], initializer=tf.constant_initializer(0.5))
        y = tf.add(tf.matmul(x, w), b, name="y")
        words = tf.placeholder(tf.string, [None], name="words")
        table = tf.lookup.StaticHashTable(
            tf.lookup.TextFileInitializer(
                vocab_path, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), -1)
        ids = tf.identity(table.lookup(words), name="ids")
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
            sess.run(w.assign([[0.5], [-1.0], [2.0]]))
            tf.saved_model.simple_save(
                sess, export_dir, {"x": x, "words": words}, {"y": y, "ids": ids},
                legacy_init_op=tf.tables_initializer())
    os.remove(vocab_path)  # the loader must use the copy in assets/


def write_multi(export_dir):
    """A builder with two meta graphs, a main op, a local variable and text format."""
    builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        v = tf.Variable([3.0, 4.0], name="v")
        steps = tf.Variable(7, name="steps", trainable=False,
                            collections=[tf.GraphKeys.LOCAL_VARIABLES])
        out = tf.multiply(x, v, name="out")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(v.assign_add([1.0, 1.0]))
            sig = tf.saved_model.signature_def_utils.build_signature_def(
                {"x": tf.saved_model.utils.build_tensor_info(x)},
                {"out": tf.saved_model.utils.build_tensor_info(out)},
                tf.saved_model.signature_constants.PREDICT_METHOD_NAME)
            builder.add_meta_graph_and_variables(
                sess, [tf.saved_model.tag_constants.SERVING],
                signature_def_map={"predict": sig},
                main_op=tf.saved_model.main_op.main_op(), strip_default_attrs=True)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        v = tf.Variable([0.0, 0.0], name="v")
        doubled = tf.multiply(2.0, x * v, name="doubled")
        builder.add_meta_graph(
            [tf.saved_model.tag_constants.TRAINING, "extra"],
            signature_def_map={"twice": tf.saved_model.predict_signature_def(
                {"x": x}, {"doubled": doubled})})
    builder.save(as_text=True)
'''

READ = r"""
import numpy as np

def read_simple(export_dir):
    with tf.Session(graph=tf.Graph()) as sess:
        mg = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING], export_dir)
        sig = mg.signature_def["serving_default"]
        get = lambda info: tf.saved_model.utils.get_tensor_from_tensor_info(info, sess.graph)
        y, ids = get(sig.outputs["y"]), get(sig.outputs["ids"])
        feed = {get(sig.inputs["x"]): [[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]],
                get(sig.inputs["words"]): ["cherry", "kiwi", "apple"]}
        y_val, ids_val = sess.run([y, ids], feed)
        return {"y": y_val.tolist(), "ids": ids_val.tolist(),
                "method": sig.method_name, "tags": list(mg.meta_info_def.tags),
                "globals": sorted(v.name for v in tf.global_variables())}


def read_multi(export_dir):
    out = {}
    with tf.Session(graph=tf.Graph()) as sess:
        tf.saved_model.loader.load(sess, ["serve"], export_dir, import_scope="m")
        g = sess.graph
        out["serve"] = sess.run(g.get_tensor_by_name("m/out:0"), {"m/x:0": [2.0, 3.0]}).tolist()
        out["steps"] = int(sess.run(g.get_tensor_by_name("m/steps:0")))
        out["locals"] = sorted(v.name for v in tf.local_variables())
    with tf.Session(graph=tf.Graph()) as sess:
        mg = tf.saved_model.loader.load(sess, ["extra", "train"], export_dir)
        out["train"] = sess.run("doubled:0", {"x:0": [2.0, 3.0]}).tolist()
        out["train_method"] = mg.signature_def["twice"].method_name
    try:
        with tf.Session(graph=tf.Graph()) as sess:
            tf.saved_model.loader.load(sess, ["train"], export_dir)
    except RuntimeError as e:
        out["error"] = str(e)
    return out
"""
