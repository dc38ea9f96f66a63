"""tf.image non-max suppression (V3/V4/V5, overlaps, combined, padded): selected
indices, scores, classes, shapes and graphs against TF, including tied scores (TF's
queue and sort orders), score thresholds, soft-NMS and float16."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

NMS = """
rng = np.random.RandomState(0)
def rboxes(n):
    c = rng.uniform(0, 1, (n, 2)); s = rng.uniform(0.05, 0.4, (n, 2))
    b = np.concatenate([c - s / 2, c + s / 2], 1)[:, [0, 1, 2, 3]].astype(np.float32)
    flip = rng.rand(n) < 0.3
    b[flip] = b[flip][:, [2, 3, 0, 1]]
    return b
boxes = rboxes(40)
scores = rng.uniform(0, 1, 40).astype(np.float32)
tied = np.round(scores * 4) / 4
dup = np.concatenate([boxes[:6], boxes[:6]]); dsc = np.concatenate([scores[:6], scores[:6]])
ov = rng.uniform(0, 1, (12, 12)).astype(np.float32)
cb = np.stack([rboxes(30) for _ in range(2)])[:, :, None, :]
cb3 = np.stack([rboxes(30 * 3).reshape(30, 3, 4) * 1.3 - 0.1 for _ in range(2)])
cs = np.round(rng.uniform(0, 1, (2, 30, 3)) * 5).astype(np.float32) / 5
hboxes = lambda: tf.constant(boxes, tf.float16)
hscores = lambda: tf.constant(scores, tf.float16)
out = {}
cases = {
 "v3": lambda: tf.image.non_max_suppression(boxes, scores, 10),
 "v3_thr": lambda: tf.image.non_max_suppression(boxes, scores, 30, 0.3, 0.4),
 "v3_tied": lambda: tf.image.non_max_suppression(boxes, tied, 20, 0.2),
 "v3_dup": lambda: tf.image.non_max_suppression(dup, dsc, 20, 0.99),
 "v3_half": lambda: tf.image.non_max_suppression(hboxes(), hscores(), 10, 0.4),
 "v5": lambda: tf.image.non_max_suppression_with_scores(boxes, scores, 10, 0.4),
 "v5_soft": lambda: tf.image.non_max_suppression_with_scores(boxes, scores, 25, 1.0, 0.1, 0.5),
 "v5_soft_tied": lambda: tf.image.non_max_suppression_with_scores(boxes, tied, 40, 0.5, 0.0, 0.2),
 "v5_half": lambda: tf.image.non_max_suppression_with_scores(
     hboxes(), hscores(), 25, np.float16(1.0), np.float16(0.1), np.float16(0.5)),
 "overlaps": lambda: tf.image.non_max_suppression_overlaps(ov, scores[:12], 6, 0.6, 0.2),
 "combined": lambda: tf.image.combined_non_max_suppression(cb, cs, 8, 20, 0.3, 0.1),
 "combined_q": lambda: tf.image.combined_non_max_suppression(
     cb3, cs, 12, 30, 0.5, clip_boxes=False),
 "combined_pad": lambda: tf.image.combined_non_max_suppression(
     cb3, cs, 2, 30, 0.5, pad_per_class=True),
 "combined_big": lambda: tf.image.combined_non_max_suppression(cb3, cs, 25, 70, 0.9),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        y = f()
        ys = list(y) if isinstance(y, (tuple, list)) else [y]
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            vals = sess.run(ys)
        out[k] = {"value": [v.tolist() for v in vals], "dtype": [t.dtype.name for t in ys],
                  "ops": ops, "shape": [str(t.shape) for t in ys]}
"""

CROP = """
rng = np.random.RandomState(0)
img = rng.uniform(-1, 1, (2, 7, 9, 3)).astype(np.float32)
u8 = rng.randint(0, 255, (2, 7, 9, 3)).astype(np.uint8)
bx = np.array([[0.1, 0.2, 0.8, 0.9], [0.0, 0.0, 1.0, 1.0], [-0.2, 0.3, 0.6, 1.3],
               [0.9, 0.8, 0.1, 0.05], [0.33, 0.41, 0.33, 0.41], [0.25, 0.125, 0.75, 0.625]],
              np.float32)
bi = np.array([0, 1, 1, 0, 1, 0], np.int32)
out = {}
def grads(method, size, dtype=tf.float32):
    x = tf.constant(img, dtype)
    b = tf.constant(bx)
    y = tf.image.crop_and_resize(x, b, bi[:1].repeat(6) * 0 + np.array([0, 1, 1, 0, 1, 0]), size,
                                 method=method, extrapolation_value=-0.5)
    w = tf.constant(rng.uniform(-1, 1, (6,) + tuple(size) + (3,)).astype(np.float32))
    return [y] + tf.gradients(tf.reduce_sum(y * w), [x, b])
cases = {
 "bilinear": lambda: [tf.image.crop_and_resize(img, bx, bi, [5, 4])],
 "nearest": lambda: [tf.image.crop_and_resize(img, bx, bi, [6, 5], method="nearest",
                                              extrapolation_value=7.0)],
 "u8": lambda: [tf.image.crop_and_resize(u8, bx, bi, [3, 3])],
 "one": lambda: [tf.image.crop_and_resize(img, bx, bi, [1, 1])],
 "one_col": lambda: [tf.image.crop_and_resize(img, bx, bi, [4, 1], method="nearest")],
 "g_bilinear": lambda: grads("bilinear", [4, 5]),
 "g_nearest": lambda: grads("nearest", [3, 6]),
 "g_one": lambda: grads("bilinear", [1, 3]),
 "g_one_col": lambda: grads("bilinear", [3, 1]),
 "g_double": lambda: grads("bilinear", [4, 4], tf.float64),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        ys = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            vals = sess.run(ys)
        out[k] = {"value": [v.tolist() for v in vals], "dtype": [t.dtype.name for t in ys],
                  "ops": ops, "shape": [str(t.shape) for t in ys]}
"""

DRAW = """
rng = np.random.RandomState(0)
img = rng.uniform(0, 1, (2, 9, 11, 3)).astype(np.float32)
bx = np.array([[[0.1, 0.2, 0.8, 0.9], [0.0, 0.0, 1.0, 1.0], [-0.2, 0.3, 0.6, 1.3],
                [0.5, 0.5, 0.4, 0.9]],
               [[0.9, 0.8, 0.95, 0.99], [-1, -1, -0.5, 2], [0.33, 0.41, 0.34, 0.42],
                [0.3, -0.3, 1.2, 0.7]]], np.float32)
rgba = np.concatenate([img, img[..., :1]], -1)
cols = np.array([[0.2, 0.4, 0.6, 1.0], [0.9, 0.1, 0.0, 0.5]], np.float32)
out = {}
cases = {
 "default": lambda: tf.image.draw_bounding_boxes(img, bx),
 "colors": lambda: tf.image.draw_bounding_boxes(img, bx, colors=cols),
 "gray": lambda: tf.image.draw_bounding_boxes(img[..., :1], bx, name="d"),
 "rgba_half": lambda: tf.image.draw_bounding_boxes(
     tf.constant(rgba, tf.float16), bx, colors=cols[:1]),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        y = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            v = sess.run(y)
        out[k] = {"value": v.tolist(), "dtype": y.dtype.name, "ops": ops, "shape": str(y.shape)}
"""

SAMPLE = """
bb = np.array([[[0.1, 0.2, 0.5, 0.6], [0.3, 0.1, 0.9, 0.4]]], np.float32)
out = {}
cases = {
 "basic": lambda: tf.image.sample_distorted_bounding_box([480, 640, 3], bb, seed=3, seed2=7),
 "tight": lambda: tf.image.sample_distorted_bounding_box(
     tf.constant([37, 23, 1], tf.int64), bb, seed=1, min_object_covered=0.8,
     aspect_ratio_range=[0.5, 2.0], area_range=[0.1, 0.9], max_attempts=20),
 "noboxes": lambda: tf.image.sample_distorted_bounding_box(
     [100, 50, 3], np.zeros([1, 0, 4], np.float32), seed=5, seed2=2, min_object_covered=0.0,
     use_image_if_no_bounding_boxes=True, name="s"),
 "fail": lambda: tf.image.sample_distorted_bounding_box(
     [10, 10, 3], bb, seed=9, min_object_covered=1.0, area_range=[0.05, 0.06],
     max_attempts=3),
 "wide": lambda: tf.image.sample_distorted_bounding_box(
     [20, 300, 3], bb, seed=11, seed2=1, aspect_ratio_range=[3, 9], area_range=[0.2, 1.0]),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        tf.set_random_seed(4)
        ys = list(f())
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            vals = [sess.run(ys) for _ in range(12)]
        out[k] = {"value": [[v.tolist() for v in r] for r in vals],
                  "dtype": [t.dtype.name for t in ys], "ops": ops,
                  "shape": [str(t.shape) for t in ys]}
"""

GLIMPSE = """
img = np.arange(2 * 7 * 9 * 2, dtype=np.float32).reshape(2, 7, 9, 2) + 1
out = {}
offs = np.array([[0.1, -0.2], [-0.35, 0.4]], np.float32)
cases = {
 "centered": lambda: tf.image.extract_glimpse(img, [3, 4], offs),
 "partial": lambda: tf.image.extract_glimpse(img, [5, 6], [[0.9, 0.8], [-1.0, -0.9]]),
 "pixels": lambda: tf.image.extract_glimpse(img, [3, 3], [[1.0, 2.0], [3.7, 5.2]],
                                            centered=False, normalized=False),
 "pixels_centered": lambda: tf.image.extract_glimpse(img, [2, 5], [[-1.0, 2.0], [1.5, -2.5]],
                                                     normalized=False, name="g"),
 "norm_uncentered": lambda: tf.image.extract_glimpse(img, [4, 4], [[0.5, 0.5], [0.1, 0.7]],
                                                     centered=False),
 "big": lambda: tf.image.extract_glimpse(img, [9, 12], offs, uniform_noise=False),
 "outside": lambda: tf.image.extract_glimpse(img, [2, 2], [[5.0, 5.0], [-4.0, 0.0]]),
 "dynamic": lambda: tf.image.extract_glimpse(
     img, tf.placeholder_with_default(tf.constant([3, 3]), [2]), offs),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        y = f()
        ops = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
        with tf.Session() as sess:
            v = sess.run(y)
        noise = v != np.round(v)
        lo, hi = img.min(), img.max()
        ok = bool(((v[noise] >= lo) & (v[noise] <= hi)).all())
        out[k] = {"value": np.where(noise, -1, v).tolist(), "dtype": y.dtype.name, "ops": ops,
                  "shape": str(y.shape), "noise_in_range": ok}
"""

PADDED = """
rng = np.random.RandomState(0)
def rboxes(n):
    c = rng.uniform(0, 1, (n, 2)); s = rng.uniform(0.05, 0.4, (n, 2))
    return np.concatenate([c - s / 2, c + s / 2], 1).astype(np.float32)
boxes = rboxes(40)
scores = rng.uniform(0, 1, 40).astype(np.float32)
bb = np.stack([rboxes(20), rboxes(20)]).reshape(2, 1, 20, 4)
bs = rng.uniform(0, 1, (2, 1, 20)).astype(np.float32)
edge = np.array([[0, 0, 1, 1], [0, 0.5, 1, 1.5], [0, 0, 1, 1]], np.float32)  # iou 1/3, 1
out = {}
cases = {
 "padded": lambda: tf.image.non_max_suppression_padded(
     tf.constant(boxes), scores, 12, 0.4, pad_to_max_output_size=True),
 "unpadded_thr": lambda: tf.image.non_max_suppression_padded(tf.constant(boxes), scores, 12,
                                                             0.4, 0.3),
 "tiles": lambda: tf.image.non_max_suppression_padded(
     tf.constant(boxes), scores, 30, 0.3, pad_to_max_output_size=True, tile_size=4),
 "batched": lambda: tf.image.non_max_suppression_padded(
     tf.constant(bb), bs, 7, 0.2, 0.1, pad_to_max_output_size=True, tile_size=8),
 "edge": lambda: tf.image.non_max_suppression_padded(
     tf.constant(edge), [0.9, 0.8, 0.7], 3, 1.0 / 3, pad_to_max_output_size=True),
 "flipped": lambda: tf.image.non_max_suppression_padded(
     tf.constant(boxes[:, [2, 3, 0, 1]]), scores, 10, 0.5),
 "tied": lambda: tf.image.non_max_suppression_padded(
     tf.constant(boxes), np.round(scores * 3) / 3, 20, 0.3, pad_to_max_output_size=True),
 "sorted": lambda: tf.image.non_max_suppression_padded(
     tf.constant(boxes), np.sort(scores)[::-1].copy(), 10, 0.5, sorted_input=True,
     canonicalized_coordinates=True),
}
for k, f in cases.items():
    with tf.Graph().as_default():
        ys = list(f())
        with tf.Session() as sess:
            vals = sess.run(ys)
        out[k] = {"value": [v.tolist() for v in vals], "dtype": [t.dtype.name for t in ys],
                  "ops": [], "shape": [str(t.shape) for t in ys]}
"""


def _here(program):
    scope = {"tf": tf, "np": np}
    exec(program, scope)
    return json.loads(json.dumps(scope["out"]))


def test_nms_by_definition():
    boxes = np.array(
        [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11], [1, 1, 0, 0]],
        np.float32,
    )
    scores = np.array([0.9, 0.75, 0.6, 0.95, 0.5], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        sel = tf.image.non_max_suppression(boxes, scores, 3, 0.5)
        idx, sc = tf.image.non_max_suppression_with_scores(boxes, scores, 5, 1.0, 0.0, 0.5)
        assert sess.run(sel).tolist() == [3, 0]
        idx, sc = sess.run([idx, sc])
    assert idx.tolist()[:2] == [3, 0] and sc[0] == np.float32(0.95)
    assert (np.diff(sc) <= 0).all()


def test_nms_padded_shape_and_errors():
    boxes = tf.zeros([5, 4])
    idx, n = tf.image.non_max_suppression_padded(
        boxes, tf.zeros([5]), 3, pad_to_max_output_size=True
    )
    assert idx.shape.as_list() == [3] and n.shape.as_list() == []
    with pytest.raises(ValueError, match="must be True for batched input"):
        tf.image.non_max_suppression_padded(tf.zeros([2, 5, 4]), tf.zeros([2, 5]), 3)
    with tf.Session() as sess:
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"iou_threshold must be in \[0, 1\]"
        ):
            sess.run(tf.image.non_max_suppression(boxes, tf.zeros([5]), 3, 1.5))
        with pytest.raises(tf.errors.InvalidArgumentError, match="scores has incompatible shape"):
            sess.run(tf.image.non_max_suppression(boxes, tf.zeros([4]), 3))
        with pytest.raises(tf.errors.InvalidArgumentError, match="max_total_size must be > 0"):
            sess.run(
                tf.image.combined_non_max_suppression(
                    tf.zeros([1, 5, 1, 4]), tf.zeros([1, 5, 2]), 2, 0
                )[0]
            )


@pytest.mark.tf
@requires_tf
def test_nms_matches_tf():
    theirs = run_tf_json(NMS + "\nprint(json.dumps(out))\n")
    ours = _here(NMS)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key]["ops"] == theirs[key]["ops"], key
        for field in ("value", "dtype", "shape"):
            assert ours[key][field] == theirs[key][field], (key, field)


def test_crop_and_resize_by_definition():
    img = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4, 1)
    with tf.Graph().as_default(), tf.Session() as sess:
        whole = tf.image.crop_and_resize(img, [[0, 0, 1, 1]], [1], [3, 4])
        half = tf.image.crop_and_resize(img, [[0, 0, 1, 1]], [0], [5, 7])
        outside = tf.image.crop_and_resize(img, [[-1, 0, 0, 1]], [0], [2, 2], extrapolation_value=9)
        whole, half, outside = sess.run([whole, half, outside])
        np.testing.assert_array_equal(whole, img[1:])
        np.testing.assert_allclose(half[0, ::2, ::2], img[0], rtol=1e-6)
        np.testing.assert_array_equal(outside[0, 0], [[9], [9]])
        with pytest.raises(tf.errors.OutOfRangeError, match="box_index has values outside"):
            sess.run(tf.image.crop_and_resize(img, [[0, 0, 1, 1]], [2], [2, 2]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="method must be 'bilinear'"):
            sess.run(tf.image.crop_and_resize(img, [[0, 0, 1, 1]], [0], [2, 2], method="area"))


@pytest.mark.tf
@requires_tf
def test_crop_and_resize_and_gradients_match_tf():
    theirs = run_tf_json(CROP + "\nprint(json.dumps(out))\n")
    ours = _here(CROP)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        for field in ("ops", "dtype", "shape"):
            assert ours[key][field] == theirs[key][field], (key, field)
        for a, b in zip(ours[key]["value"], theirs[key]["value"]):
            # (TF's image gradient adds overlapping boxes on several threads: float32
            # sums may then differ in the last place)
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, err_msg=key)


def test_draw_bounding_boxes_by_definition():
    img = np.zeros([1, 5, 6, 1], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        out = sess.run(tf.image.draw_bounding_boxes(img, [[[0.25, 0.2, 0.75, 0.8]]]))
    want = np.zeros([5, 6])
    want[1, 1:5] = want[3, 1:5] = want[1:4, 1] = want[1:4, 4] = 1
    np.testing.assert_array_equal(out[0, :, :, 0], want)


def test_sample_distorted_bounding_box_is_valid():
    boxes = np.array([[[0.1, 0.2, 0.5, 0.6]]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        begin, size, bbox = tf.image.sample_distorted_bounding_box(
            [60, 80, 3], boxes, seed=1, min_object_covered=0.5
        )
        assert [t.shape.as_list() for t in (begin, size, bbox)] == [[3], [3], [1, 1, 4]]
        for _ in range(20):
            b, sz, bb = sess.run([begin, size, bbox])
            assert b[2] == 0 and sz[2] == -1 and (b[:2] + sz[:2] <= [60, 80]).all()
            np.testing.assert_allclose(
                bb[0, 0],
                [b[0] / 60, b[1] / 80, (b[0] + sz[0]) / 60, (b[1] + sz[1]) / 80],
                rtol=1e-6,
            )
        with pytest.raises(tf.errors.InvalidArgumentError, match="must be in \\[0.0, 1.0\\]"):
            sess.run(tf.image.sample_distorted_bounding_box([6, 8, 3], boxes * 3, seed=1)[0])


def _compare(program, exact_ops=True):
    theirs = run_tf_json(program + "\nprint(json.dumps(out))\n")
    ours = _here(program)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        for field in ("ops", "dtype", "shape", "value"):
            assert ours[key][field] == theirs[key][field], (key, field)


@pytest.mark.tf
@requires_tf
def test_draw_bounding_boxes_matches_tf():
    _compare(DRAW)


@pytest.mark.tf
@requires_tf
def test_sample_distorted_bounding_box_draws_tf_values():
    """TF's values for each seed pair over 12 runs (its Philox stream, reserved per run)."""
    _compare(SAMPLE)


@pytest.mark.tf
@requires_tf
def test_extract_glimpse_matches_tf():
    """Windows equal TF's; where a window leaves the image both fill it with noise
    (unseeded in TF) over the image's range: the noise positions agree, the values may
    not (the program marks them -1)."""
    _compare(GLIMPSE)
    assert all(case["noise_in_range"] for case in _here(GLIMPSE).values())


@pytest.mark.tf
@requires_tf
def test_nms_padded_matches_tf():
    """TF's tiled algorithm (several tiles, batches, ties, IOU exactly at the threshold,
    flipped corners, sorted input): the same indices and counts. (TF's graph holds it in
    a function call, tfgraph's inline, so graphs are not compared.)"""
    _compare(PADDED)


EXPORTED = """
rng = np.random.RandomState(3)
img = rng.uniform(0, 1, (2, 6, 7, 3)).astype(np.float32)
bx = np.array([[0.1, 0.2, 0.7, 0.9], [0.3, 0.0, 0.9, 0.5], [0.12, 0.22, 0.72, 0.88]], np.float32)
sc = np.array([0.9, 0.6, 0.8], np.float32)
x = tf.placeholder(tf.float32, [2, 6, 7, 3], name="x")
crops = tf.image.crop_and_resize(x, bx, [0, 1, 0], [4, 5], method="nearest", extrapolation_value=2)
loss = tf.reduce_sum(tf.image.crop_and_resize(x, bx, [1, 0, 1], [3, 3]))
g_img = tf.gradients(loss, x)[0]
idx, scores = tf.image.non_max_suppression_with_scores(bx, sc, 3, 0.5, soft_nms_sigma=0.3)
comb = tf.image.combined_non_max_suppression(bx[None, :, None], sc[None, :, None], 2, 3)
drawn = tf.image.draw_bounding_boxes(x, [[bx[0]], [bx[1]]], colors=[[1.0, 0.0, 0.0, 1.0]])
glimpse = tf.image.extract_glimpse(x, [3, 3], [[0.0, 0.0], [0.2, -0.1]])
begin, size, _ = tf.image.sample_distorted_bounding_box([6, 7, 3], [bx[:1]], seed=2, seed2=5)
png = tf.image.encode_png(tf.cast(x[0] * 255, tf.uint8))
outs = [crops, g_img, idx, scores, comb[0], comb[3], drawn, glimpse, begin, size,
        tf.image.decode_png(png), tf.image.is_jpeg(png)]
"""


@pytest.mark.tf
@requires_tf
def test_exported_graph_runs_in_tf(tmp_path):
    """A GraphDef tfgraph writes with these ops imports into TF and computes the same."""
    scope = {"tf": tf, "np": np}
    with tf.Graph().as_default() as g:
        exec(EXPORTED, scope)
        img = np.random.RandomState(3).uniform(0, 1, (2, 6, 7, 3)).astype(np.float32)
        with tf.Session() as sess:
            ours = sess.run(scope["outs"], {scope["x"]: img})
        (tmp_path / "graph.pb").write_bytes(g.as_graph_def().SerializeToString())
        names = [t.name for t in scope["outs"]]
    theirs = run_tf_json(
        f"""
gd = tf.GraphDef()
gd.ParseFromString(open({str(tmp_path / "graph.pb")!r}, "rb").read())
tf.import_graph_def(gd, name="")
img = np.random.RandomState(3).uniform(0, 1, (2, 6, 7, 3)).astype(np.float32)
with tf.Session() as sess:
    vals = sess.run({names!r}, {{"x:0": img}})
print(json.dumps([np.asarray(v).tolist() for v in vals]))
"""
    )
    for name, mine, value in zip(names, ours, theirs, strict=True):
        if "ExtractGlimpse" in name:
            continue  # (its noise fill is unseeded in TF)
        np.testing.assert_allclose(np.asarray(mine), np.asarray(value), err_msg=name, rtol=1e-6)


PROPOSALS = """
out = {}
with tf.Graph().as_default():
    r = tf.image.generate_bounding_box_proposals(
        tf.zeros([2, 4, 5, 3]), tf.zeros([2, 4, 5, 12]), tf.zeros([2, 5]), tf.zeros([2, 60, 4]),
        post_nms_topn=7, name="g")
    out["shapes"] = [str(r.rois.shape), str(r.roi_probabilities.shape)]
    out["ops"] = sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations())
    with tf.Session() as sess:
        try:
            sess.run(r.rois)
        except tf.errors.InvalidArgumentError as e:
            out["error"] = [line for line in e.message.splitlines() if "No OpKernel" in line]
"""


@pytest.mark.tf
@requires_tf
def test_generate_bounding_box_proposals_as_tf_on_cpu():
    """TF has only a GPU kernel: the graph is TF's, and running it fails as on TF's CPU."""
    theirs = run_tf_json(PROPOSALS + "\nprint(json.dumps(out))\n")
    assert _here(PROPOSALS) == theirs
