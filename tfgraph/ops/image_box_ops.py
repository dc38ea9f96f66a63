"""Bounding-box image ops: non-max suppression (NonMaxSuppressionV3/V4/V5,
NonMaxSuppressionWithOverlaps, CombinedNonMaxSuppression) and the `tf.image` functions
over them.

The kernels follow TF's CPU kernels step by step, in float32 (or float16) arithmetic as
TF's: a greedy selection from a priority queue (ties: the lower index first), IOU of
corner-normalized boxes, soft-NMS re-queuing with Gaussian weights. Combined NMS orders
candidates with a heap and a sort that behave as libstdc++'s `std::priority_queue` and
`std::sort` do (neither breaks ties by index), so tied scores come out in TF's order.
"""

from __future__ import annotations

import collections
import heapq

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops import array_ops, common_shapes, math_ops
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.array_ops import constant
from tfgraph.ops.control_flow_ops import cond
from tfgraph.ops.manip_ops import argsort
from tfgraph.ops.nn_ops import top_k
from tfgraph.ops.while_loop import while_loop

__all__ = [
    "combined_non_max_suppression",
    "crop_and_resize",
    "draw_bounding_boxes",
    "extract_glimpse",
    "generate_bounding_box_proposals",
    "non_max_suppression",
    "non_max_suppression_overlaps",
    "non_max_suppression_padded",
    "non_max_suppression_with_scores",
    "sample_distorted_bounding_box",
]


# -- kernels ------------------------------------------------------------------------------


def _dbg(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


# libstdc++'s heap and introsort (TF's combined NMS orders ties as they do): `less(a, b)`
# is the C++ comparator.
def _sift_up(h: list, hole: int, top: int, value, less) -> None:
    parent = (hole - 1) // 2
    while hole > top and less(h[parent], value):
        h[hole] = h[parent]
        hole = parent
        parent = (hole - 1) // 2
    h[hole] = value


def _adjust_heap(h: list, hole: int, n: int, value, less) -> None:
    top = child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if less(h[child], h[child - 1]):
            child -= 1
        h[hole] = h[child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        h[hole] = h[child - 1]
        hole = child - 1
    _sift_up(h, hole, top, value, less)


def cxx_heap_push(h: list, value, less) -> None:
    """`std::priority_queue::push`."""
    h.append(value)
    _sift_up(h, len(h) - 1, 0, value, less)


def cxx_heap_pop(h: list, less):
    """`std::priority_queue::top` then `pop`."""
    top = h[0]
    last = h.pop()
    if h:
        _adjust_heap(h, 0, len(h), last, less)
    return top


def _heap_sort(a: list, lo: int, hi: int, less) -> None:
    h = a[lo:hi]
    n = len(h)
    for parent in range((n - 2) // 2, -1, -1):
        _adjust_heap(h, parent, n, h[parent], less)
    for end in range(n - 1, 0, -1):
        value = h[end]
        h[end] = h[0]
        _adjust_heap(h, 0, end, value, less)
    a[lo:hi] = h


def _median_to_first(a: list, r: int, x: int, y: int, z: int, less) -> None:
    if less(a[x], a[y]):
        m = y if less(a[y], a[z]) else (z if less(a[x], a[z]) else x)
    else:
        m = x if less(a[x], a[z]) else (z if less(a[y], a[z]) else y)
    a[r], a[m] = a[m], a[r]


def _introsort(a: list, lo: int, hi: int, depth: int, less) -> None:
    while hi - lo > 16:
        if depth == 0:
            _heap_sort(a, lo, hi, less)
            return
        depth -= 1
        _median_to_first(a, lo, lo + 1, lo + (hi - lo) // 2, hi - 1, less)
        pivot, i, j = a[lo], lo + 1, hi
        while True:
            while less(a[i], pivot):
                i += 1
            j -= 1
            while less(pivot, a[j]):
                j -= 1
            if not i < j:
                break
            a[i], a[j] = a[j], a[i]
            i += 1
        _introsort(a, i, hi, depth, less)
        hi = i


def _insertion_sort(a: list, lo: int, hi: int, less) -> None:
    for i in range(lo + 1, hi):
        value, j = a[i], i
        while j > lo and less(value, a[j - 1]):
            a[j] = a[j - 1]
            j -= 1
        a[j] = value


def cxx_sort(a: list, less) -> None:
    """`std::sort(a.begin(), a.end(), less)` as libstdc++ orders equal elements."""
    n = len(a)
    if n < 2:
        return
    _introsort(a, 0, n, 2 * (n.bit_length() - 1), less)
    _insertion_sort(a, 0, n, less)


def _corners(boxes: np.ndarray) -> tuple:
    b = boxes.astype(np.float32)
    ymin, ymax = np.minimum(b[:, 0], b[:, 2]), np.maximum(b[:, 0], b[:, 2])
    xmin, xmax = np.minimum(b[:, 1], b[:, 3]), np.maximum(b[:, 1], b[:, 3])
    return ymin, xmin, ymax, xmax, (ymax - ymin) * (xmax - xmin)


def _iou_fn(boxes: np.ndarray):
    """TF's IOU(i, j) in float32, on boxes with corners in any order."""
    ymin, xmin, ymax, xmax, area = _corners(boxes)
    zero = np.float32(0)

    def iou(i: int, j: int) -> np.float32:
        if area[i] <= 0 or area[j] <= 0:
            return zero
        ih = max(min(ymax[i], ymax[j]) - max(ymin[i], ymin[j]), zero)
        iw = max(min(xmax[i], xmax[j]) - max(xmin[i], xmin[j]), zero)
        inter = ih * iw
        return inter / (area[i] + area[j] - inter)

    def many(i: int, js: np.ndarray) -> np.ndarray:
        """iou(i, j) for each j of `js`, the same float32 operations vectorized."""
        ih = np.maximum(np.minimum(ymax[i], ymax[js]) - np.maximum(ymin[i], ymin[js]), zero)
        iw = np.maximum(np.minimum(xmax[i], xmax[js]) - np.maximum(xmin[i], xmin[js]), zero)
        inter = ih * iw
        with np.errstate(divide="ignore", invalid="ignore"):
            out = inter / (area[i] + area[js] - inter)
        return np.where((area[i] <= 0) | (area[js] <= 0), zero, out)

    iou.many = many  # type: ignore[attr-defined]
    return iou


def _greedy_nms(scores, max_output, threshold, score_threshold, sigma, similarity):
    """TF's DoNonMaxSuppressionOp: (selected indices, their scores)."""
    t = scores.dtype.type
    threshold, score_threshold, sigma = t(threshold), t(score_threshold), t(sigma)
    soft = bool(sigma > 0)
    scale = t(t(-0.5) / sigma) if soft else t(0)
    # (heap entries: (-score, index, suppress_begin); ties pop the lower index first)
    queue = [(-scores[i], i, 0) for i in range(len(scores)) if scores[i] > score_threshold]
    heapq.heapify(queue)
    selected: list[int] = []
    selected_scores: list = []
    while len(selected) < max_output and queue:
        neg, index, begin = heapq.heappop(queue)
        original = score = -neg
        if not soft and begin < len(selected):
            # (hard NMS: a candidate survives iff no similarity exceeds the threshold;
            # all of them at once unless one is NaN, which the loop below handles as TF)
            sims = similarity.many(index, np.asarray(selected[begin:])).astype(t)
            if not np.isnan(sims).any():
                if (sims > threshold).any():
                    continue
                selected.append(index)
                selected_scores.append(score)
                continue
        hard = False
        for j in range(len(selected) - 1, begin - 1, -1):
            sim = t(similarity(index, selected[j]))
            weight = (
                t(np.exp(np.float64(t(scale * sim) * sim))) if soft or sim <= threshold else t(0)
            )
            score = t(score * weight)
            if not soft and sim > threshold:
                hard = True
                break
            if score <= score_threshold:
                break
        if hard:
            continue
        if score == original:
            selected.append(index)
            selected_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(queue, (-score, index, len(selected)))
    return selected, selected_scores


def _scalar(op, value, what: str, dtype=None):
    value = np.asarray(value)
    if value.ndim != 0:
        raise errors.InvalidArgumentError(
            None, op, f"{what} must be 0-D, got shape {_dbg(value.shape)}"
        )
    return value if dtype is None else value.astype(dtype)


def _check_boxes_scores(op, boxes, scores) -> None:
    if boxes.ndim != 2:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"boxes must be 2-D{_dbg(boxes.shape)} (Shape must be rank 2 but is rank {boxes.ndim})",
        )
    if boxes.shape[1] != 4:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"boxes must have 4 columns (Dimension must be 4 but is {boxes.shape[1]})",
        )
    _check_scores(op, scores, boxes.shape[0])


def _check_scores(op, scores, num_boxes: int) -> None:
    if scores.ndim != 1:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"scores must be 1-D{_dbg(scores.shape)} "
            f"(Shape must be rank 1 but is rank {scores.ndim})",
        )
    if scores.shape[0] != num_boxes:
        raise errors.InvalidArgumentError(
            None,
            op,
            "scores has incompatible shape (Dimensions must be equal, but are "
            f"{num_boxes} and {scores.shape[0]})",
        )


def _output_size(op, max_output_size) -> int:
    size = int(_scalar(op, max_output_size, "max_output_size"))
    if size < 0:
        raise errors.InvalidArgumentError(None, op, "output size must be non-negative")
    return size


def _nms_kernel(op, ctx):
    kind = op._type
    pad = bool(op._attrs.get("pad_to_max_output_size", False))
    dtype = op._attrs["T"].as_numpy_dtype

    def kernel(boxes, scores, max_output_size, iou_threshold, score_threshold, sigma=0.0):
        boxes, scores = np.asarray(boxes), np.asarray(scores)
        iou_t = _scalar(op, iou_threshold, "iou_threshold", dtype)
        if not 0 <= iou_t <= 1:
            raise errors.InvalidArgumentError(None, op, "iou_threshold must be in [0, 1]")
        score_t = _scalar(op, score_threshold, "score_threshold", dtype)
        sigma_t = _scalar(op, sigma, "soft_nms_sigma", dtype)
        if sigma_t < 0:
            raise errors.InvalidArgumentError(None, op, "soft_nms_sigma_val must be >= 0")
        _check_boxes_scores(op, boxes, scores)
        size = _output_size(op, max_output_size)
        sel, sel_scores = _greedy_nms(scores, size, iou_t, score_t, sigma_t, _iou_fn(boxes))
        valid = np.int32(len(sel))
        if pad:
            sel = sel + [0] * (size - len(sel))
            sel_scores = sel_scores + [0] * (size - len(sel_scores))
        indices = np.asarray(sel, np.int32)
        if kind == "NonMaxSuppressionV3":
            return indices
        if kind == "NonMaxSuppressionV4":
            return indices, valid
        return indices, np.asarray(sel_scores, dtype), valid

    return kernel


def _overlaps_kernel(op, ctx):
    def kernel(overlaps, scores, max_output_size, overlap_threshold, score_threshold):
        overlaps, scores = np.asarray(overlaps, np.float32), np.asarray(scores, np.float32)
        threshold = _scalar(op, overlap_threshold, "overlap_threshold", np.float32)
        score_t = _scalar(op, score_threshold, "score_threshold", np.float32)
        if overlaps.ndim != 2:
            raise errors.InvalidArgumentError(
                None, op, f"overlaps must be 2-D{_dbg(overlaps.shape)}"
            )
        if overlaps.shape[1] != overlaps.shape[0]:
            raise errors.InvalidArgumentError(
                None, op, f"overlaps must be square{_dbg(overlaps.shape)}"
            )
        _check_scores(op, scores, overlaps.shape[0])
        size = _output_size(op, max_output_size)

        def similarity(i, j):
            return overlaps[i, j]

        similarity.many = lambda i, js: overlaps[i, js]  # type: ignore[attr-defined, unused-ignore]
        sel, _ = _greedy_nms(scores, size, threshold, score_t, 0.0, similarity)
        return np.asarray(sel, np.int32)

    return kernel


def _nms_shape(op):
    boxes = op._inputs[0]._shape.with_rank(2)
    op._inputs[1]._shape.with_rank(1)
    for t in op._inputs[2:]:
        t._shape.with_rank(0)
    if op._type != "NonMaxSuppressionWithOverlaps" and boxes._dims[1] not in (None, 4):
        raise common_shapes.shape_error(op, f"Dimension must be 4 but is {boxes._dims[1]}")
    n = None
    if op._attrs.get("pad_to_max_output_size", False):
        size = common_shapes.constant_value(op._inputs[2])
        n = None if size is None else int(size)
    out = [TensorShape([n])]
    if op._type == "NonMaxSuppressionV3" or op._type == "NonMaxSuppressionWithOverlaps":
        return out
    if op._type == "NonMaxSuppressionV5":
        out.append(TensorShape([n]))
    return out + [TensorShape([])]


_NMS_INPUTS = ["boxes: T", "scores: T", "max_output_size: int32"]
register_op(
    "NonMaxSuppressionV3",
    inputs=_NMS_INPUTS + ["iou_threshold: T_threshold", "score_threshold: T_threshold"],
    outputs=["selected_indices: int32"],
    attrs=["T: {half, float} = float", "T_threshold: {half, float} = float"],
    shape=_nms_shape,
    make_kernel=_nms_kernel,
)
register_op(
    "NonMaxSuppressionV4",
    inputs=_NMS_INPUTS + ["iou_threshold: T_threshold", "score_threshold: T_threshold"],
    outputs=["selected_indices: int32", "valid_outputs: int32"],
    attrs=[
        "T: {half, float} = float",
        "T_threshold: {half, float} = float",
        "pad_to_max_output_size: bool = false",
    ],
    shape=_nms_shape,
    make_kernel=_nms_kernel,
)
register_op(
    "NonMaxSuppressionV5",
    inputs=_NMS_INPUTS + ["iou_threshold: T", "score_threshold: T", "soft_nms_sigma: T"],
    outputs=["selected_indices: int32", "selected_scores: T", "valid_outputs: int32"],
    attrs=["T: {half, float} = float", "pad_to_max_output_size: bool = false"],
    shape=_nms_shape,
    make_kernel=_nms_kernel,
)
register_op(
    "NonMaxSuppressionWithOverlaps",
    inputs=[
        "overlaps: float",
        "scores: float",
        "max_output_size: int32",
        "overlap_threshold: float",
        "score_threshold: float",
    ],
    outputs=["selected_indices: int32"],
    shape=_nms_shape,
    make_kernel=_overlaps_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- combined NMS ---------------------------------------------------------------------------


def _nms_per_class(boxes, scores, size_per_class, score_t, iou_t):
    """TF's DoNMSPerClass for one (batch, class): [(index, score)] in selection order."""
    heap: list = []
    less = _score_less
    for i in range(len(scores)):
        if scores[i] > score_t:
            cxx_heap_push(heap, (i, scores[i]), less)
    iou = _iou_fn(boxes)
    selected: list = []
    while len(selected) < size_per_class and heap:
        index, score = cxx_heap_pop(heap, less)
        if all(iou(index, j) <= iou_t for j, _ in reversed(selected)):
            selected.append((index, score))
    return selected


def _score_less(a, b) -> bool:
    return a[1] < b[1]


def _combined_batch(boxes, scores, size_per_class, score_t, iou_t):
    """The sorted candidate list of one batch entry (TF's result_candidate_vec)."""
    num_classes = scores.shape[1]
    q = boxes.shape[1]
    filler = (-1, -np.inf, -1, (0.0, 0.0, 0.0, 0.0))
    cands = [filler] * (size_per_class * num_classes)
    for c in range(num_classes):
        class_boxes = boxes[:, c if q > 1 else 0]
        chosen = _nms_per_class(class_boxes, scores[:, c], size_per_class, score_t, iou_t)
        for k, (i, s) in enumerate(chosen):
            cands[size_per_class * c + k] = (i, s, c, tuple(class_boxes[i]))
    cxx_sort(cands, lambda a, b: b[1] < a[1])
    return [r for r in cands if r[0] > -1]


def _check_combined(op, boxes, scores):
    if boxes.ndim != 4:
        raise errors.InvalidArgumentError(
            None,
            op,
            "boxes must be 4-D [batch, num_boxes, q, 4], got shape " + _dbg(boxes.shape),
        )
    if scores.ndim != 3:
        raise errors.InvalidArgumentError(
            None,
            op,
            "scores must be 3-D [batch, num_boxes, num_classes], got shape " + _dbg(scores.shape),
        )
    if boxes.shape[2] not in (1, scores.shape[2]):
        raise errors.InvalidArgumentError(
            None, op, "third dimension of boxes must be either 1 or num classes"
        )
    if boxes.shape[3] != 4:
        raise errors.InvalidArgumentError(None, op, "boxes must have 4 columns")
    if scores.shape[1] != boxes.shape[1]:
        raise errors.InvalidArgumentError(None, op, "scores has incompatible shape")
    if boxes.shape[0] != scores.shape[0]:
        raise errors.InvalidArgumentError(None, op, "boxes and scores must have same batch size")


def _combined_kernel(op, ctx):
    pad_per_class, clip = bool(op._attrs["pad_per_class"]), bool(op._attrs["clip_boxes"])

    def kernel(boxes, scores, max_per_class, max_total, iou_threshold, score_threshold):
        boxes, scores = np.asarray(boxes, np.float32), np.asarray(scores, np.float32)
        _check_combined(op, boxes, scores)
        per_class = int(_scalar(op, max_per_class, "max_size_per_class"))
        if per_class <= 0:
            raise errors.InvalidArgumentError(None, op, "max_size_per_class must be positive")
        total = int(_scalar(op, max_total, "max_total_size"))
        if total <= 0:
            raise errors.InvalidArgumentError(None, op, "max_total_size must be > 0")
        iou_t = _scalar(op, iou_threshold, "iou_threshold", np.float32)
        score_t = _scalar(op, score_threshold, "score_threshold", np.float32)
        if not 0 <= iou_t <= 1:
            raise errors.InvalidArgumentError(None, op, "iou_threshold must be in [0, 1]")
        batch, num_boxes, num_classes = scores.shape
        size_per_class = min(per_class, num_boxes)
        per_batch = min(total, per_class * num_classes) if pad_per_class else total
        out_boxes = np.zeros((batch, per_batch, 4), np.float32)
        out_scores = np.zeros((batch, per_batch), np.float32)
        out_classes = np.zeros((batch, per_batch), np.float32)
        valid = np.zeros(batch, np.int32)
        for b in range(batch):
            cands = _combined_batch(boxes[b], scores[b], size_per_class, score_t, iou_t)
            n = min(len(cands), per_batch)
            valid[b] = n
            for k, (_, s, c, box) in enumerate(cands[:n]):
                out_boxes[b, k] = np.clip(box, 0, 1) if clip else box
                out_scores[b, k] = s
                out_classes[b, k] = c
        return out_boxes, out_scores, out_classes, valid

    return kernel


def _combined_shape(op):
    boxes = op._inputs[0]._shape.with_rank(4)
    scores = op._inputs[1]._shape.with_rank(3)
    for t in op._inputs[2:]:
        t._shape.with_rank(0)
    batch = boxes._dims[0] if boxes._dims[0] is not None else scores._dims[0]
    total = common_shapes.constant_value(op._inputs[3])
    size = None if total is None else int(total)
    if op._attrs["pad_per_class"] and size is not None:
        per_class = common_shapes.constant_value(op._inputs[2])
        classes = scores._dims[2]
        if per_class is None or classes is None:
            size = None
        else:
            size = min(size, int(per_class) * classes)
    return [
        TensorShape([batch, size, 4]),
        TensorShape([batch, size]),
        TensorShape([batch, size]),
        TensorShape([batch]),
    ]


register_op(
    "CombinedNonMaxSuppression",
    inputs=[
        "boxes: float",
        "scores: float",
        "max_output_size_per_class: int32",
        "max_total_size: int32",
        "iou_threshold: float",
        "score_threshold: float",
    ],
    outputs=[
        "nmsed_boxes: float",
        "nmsed_scores: float",
        "nmsed_classes: float",
        "valid_detections: int32",
    ],
    attrs=["pad_per_class: bool = false", "clip_boxes: bool = true"],
    shape=_combined_shape,
    make_kernel=_combined_kernel,
)


# -- crop_and_resize -----------------------------------------------------------------------

_F32 = np.float32


def _sample_positions(lo, hi, size: int, crop: int, scale):
    """TF's in_y (or in_x) of one box: float32 positions, computed as TF computes them."""
    if crop > 1:
        return _F32(_F32(lo) * _F32(size - 1)) + np.arange(crop, dtype=_F32) * _F32(scale)
    return np.full(1, _F32(0.5 * np.float64(_F32(_F32(lo) + _F32(hi))) * (size - 1)), _F32)


def _box_samples(box, image_h: int, image_w: int, crop_h: int, crop_w: int, ratios=False):
    """Per box: (in_y, in_x, valid_y, valid_x) as TF's crop_and_resize kernels compute
    them (`ratios`: the boxes gradient's scale, (y2 - y1) * ((h - 1) / (crop - 1)))."""
    y1, x1, y2, x2 = (_F32(v) for v in box)
    if ratios:
        hs = (y2 - y1) * _F32(_F32(image_h - 1) / _F32(crop_h - 1)) if crop_h > 1 else 0
        ws = (x2 - x1) * _F32(_F32(image_w - 1) / _F32(crop_w - 1)) if crop_w > 1 else 0
    else:
        hs = _F32((y2 - y1) * _F32(image_h - 1)) / _F32(crop_h - 1) if crop_h > 1 else 0
        ws = _F32((x2 - x1) * _F32(image_w - 1)) / _F32(crop_w - 1) if crop_w > 1 else 0
    in_y = _sample_positions(y1, y2, image_h, crop_h, hs)
    in_x = _sample_positions(x1, x2, image_w, crop_w, ws)
    ok_y = (in_y >= 0) & (in_y <= image_h - 1)
    ok_x = (in_x >= 0) & (in_x <= image_w - 1)
    return in_y, in_x, ok_y, ok_x


def _corner_indices(pos, valid, nearest: bool):
    p = np.where(valid, pos, 0).astype(_F32)
    if nearest:
        near = np.where(p - np.floor(p) >= 0.5, np.ceil(p), np.floor(p)).astype(np.int64)
        return near, near, np.zeros_like(p)
    lo = np.floor(p).astype(np.int64)
    return lo, np.ceil(p).astype(np.int64), (p - lo.astype(_F32)).astype(_F32)


def _check_crop_inputs(op, image, boxes, box_ind) -> int:
    if image.ndim != 4:
        raise errors.InvalidArgumentError(None, op, f"input image must be 4-D{_dbg(image.shape)}")
    if image.shape[1] <= 0 or image.shape[2] <= 0:
        raise errors.InvalidArgumentError(None, op, "image dimensions must be positive")
    return _check_box_ind(op, boxes, box_ind, image.shape[0])


def _check_box_ind(op, boxes, box_ind, batch: int) -> int:
    if boxes.size == 0 and box_ind.size == 0:
        return 0
    if boxes.ndim != 2:
        raise errors.InvalidArgumentError(None, op, f"boxes must be 2-D, got: {_dbg(boxes.shape)}")
    if box_ind.ndim != 1:
        raise errors.InvalidArgumentError(
            None, op, f"box_indices must be rank 1 but is shape {_dbg(box_ind.shape)}"
        )
    if boxes.shape[1] != 4:
        raise errors.InvalidArgumentError(None, op, "boxes must have 4 columns")
    if box_ind.shape[0] != boxes.shape[0]:
        raise errors.InvalidArgumentError(None, op, "box_index has incompatible shape")
    if ((box_ind < 0) | (box_ind >= batch)).any():
        raise errors.OutOfRangeError(None, op, "box_index has values outside [0, batch_size)")
    return boxes.shape[0]


def _crop_size(op, crop_size, what="crop_size", n=2) -> list:
    crop_size = np.asarray(crop_size)
    if crop_size.ndim != 1:
        raise errors.InvalidArgumentError(None, op, f"{what} must be 1-D{_dbg(crop_size.shape)}")
    if crop_size.shape[0] != n:
        words = "two elements" if n == 2 else "4 elements"
        raise errors.InvalidArgumentError(
            None, op, f"{what} must have {words}{_dbg(crop_size.shape)}"
        )
    return [int(v) for v in crop_size]


def _method(op, allowed=(b"bilinear", b"nearest")) -> bool:
    """True for nearest-neighbour sampling; raises for a method the kernel lacks."""
    method = op._attrs["method"]
    if method not in allowed:
        quoted = " or ".join(f"'{m.decode()}'" for m in allowed)
        raise errors.InvalidArgumentError(None, op, f"method must be {quoted}{method.decode()}")
    return method == b"nearest"


def _crop_kernel(op, ctx):
    nearest = _method(op)
    extrapolation = _F32(op._attrs["extrapolation_value"])

    def kernel(image, boxes, box_ind, crop_size):
        image = np.asarray(image)
        boxes, box_ind = np.asarray(boxes, _F32), np.asarray(box_ind)
        n = _check_crop_inputs(op, image, boxes, box_ind)
        ch, cw = _crop_size(op, crop_size)
        if ch <= 0 or cw <= 0:
            raise errors.InvalidArgumentError(None, op, "crop dimensions must be positive")
        _, h, w, depth = image.shape
        out = np.empty((n, ch, cw, depth), _F32)
        if n and not np.isfinite(boxes).all():
            raise errors.InvalidArgumentError(
                None, op, "Boxes contains at least one element that is not finite"
            )
        for b in range(n):
            in_y, in_x, ok_y, ok_x = _box_samples(boxes[b], h, w, ch, cw)
            top, bottom, y_lerp = _corner_indices(in_y, ok_y, nearest)
            left, right, x_lerp = _corner_indices(in_x, ok_x, nearest)
            img = image[box_ind[b]].astype(_F32)
            if nearest:
                crop = img[top][:, left]
            else:
                xl = x_lerp[None, :, None]
                t = img[top][:, left] + (img[top][:, right] - img[top][:, left]) * xl
                bt = img[bottom][:, left] + (img[bottom][:, right] - img[bottom][:, left]) * xl
                crop = t + (bt - t) * y_lerp[:, None, None]
            valid = (ok_y[:, None] & ok_x[None, :])[:, :, None]
            out[b] = np.where(valid, crop, extrapolation)
        return out

    return kernel


def _crop_shape(op):
    image = op._inputs[0]._shape.with_rank(4)
    boxes = op._inputs[1]._shape.with_rank(2)
    op._inputs[2]._shape.with_rank(1)
    size = common_shapes.constant_value(op._inputs[3])
    h, w = (None, None) if size is None else (int(size[0]), int(size[1]))
    n = boxes._dims[0] if boxes._dims[0] is not None else op._inputs[2]._shape._dims[0]
    return [TensorShape([n, h, w, image._dims[3]])]


def _grad_image_shape(op):
    op._inputs[0]._shape.with_rank(4)
    size = common_shapes.constant_value(op._inputs[3])
    if size is None:
        return [TensorShape([None] * 4)]
    return [TensorShape([int(v) for v in size])]


def _grad_boxes_shape(op):
    grads = op._inputs[0]._shape.with_rank(4)
    boxes = op._inputs[2]._shape.with_rank(2)
    n = boxes._dims[0] if boxes._dims[0] is not None else grads._dims[0]
    return [TensorShape([n, 4])]


def _crop_grad(op, grad):
    image = op._inputs[0]
    if image._shape.is_fully_defined():
        image_shape = image._shape.as_list()
    else:
        image_shape = array_ops.shape(image)
    grad0 = None
    if image.dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
        grad0 = op_output(
            "CropAndResizeGradImage",
            None,
            [grad, op._inputs[1], op._inputs[2], image_shape],
            {"T": image.dtype, "method": op._attrs["method"]},
        )
    grad1 = op_output("CropAndResizeGradBoxes", None, [grad, image, op._inputs[1], op._inputs[2]])
    return [grad0, grad1, None, None]


def _grad_image_kernel(op, ctx):
    nearest = _method(op)
    dtype = op._attrs["T"].as_numpy_dtype

    def kernel(grads, boxes, box_ind, image_size):
        grads = np.asarray(grads, _F32)
        boxes, box_ind = np.asarray(boxes, _F32), np.asarray(box_ind)
        if grads.ndim != 4:
            raise errors.InvalidArgumentError(
                None, op, f"grads image must be 4-D{_dbg(grads.shape)}"
            )
        n, ch, cw, depth = grads.shape
        if ch <= 0 or cw <= 0:
            raise errors.InvalidArgumentError(None, op, "grads dimensions must be positive")
        batch, h, w, d = _crop_size(op, image_size, "image_size", 4)
        if h <= 0 or w <= 0:
            raise errors.InvalidArgumentError(None, op, "image dimensions must be positive")
        if d != depth:
            raise errors.InvalidArgumentError(None, op, "image_size and grads are incompatible")
        if _check_box_ind(op, boxes, box_ind, batch) != n:
            raise errors.InvalidArgumentError(None, op, "boxes and grads have incompatible shape")
        out = np.zeros((batch, h, w, depth), dtype)
        for b in range(n):
            in_y, in_x, ok_y, ok_x = _box_samples(boxes[b], h, w, ch, cw)
            top, bottom, y_lerp = _corner_indices(in_y, ok_y, nearest)
            left, right, x_lerp = _corner_indices(in_x, ok_x, nearest)
            ys, xs = np.nonzero(ok_y[:, None] & ok_x[None, :])
            g = grads[b, ys, xs]  # [k, depth]
            if nearest:
                np.add.at(out, (box_ind[b], top[ys], left[xs]), g.astype(dtype))
                continue
            yl, xl = y_lerp[ys][:, None], x_lerp[xs][:, None]
            dtop, dbottom = (_F32(1) - yl) * g, yl * g
            vals = np.stack(
                [(_F32(1) - xl) * dtop, xl * dtop, (_F32(1) - xl) * dbottom, xl * dbottom], 1
            )  # (TF adds the four corners of each sample in this order)
            rows = np.stack([top[ys], top[ys], bottom[ys], bottom[ys]], 1).ravel()
            cols = np.stack([left[xs], right[xs], left[xs], right[xs]], 1).ravel()
            np.add.at(out, (box_ind[b], rows, cols), vals.reshape(-1, depth).astype(dtype))
        return out

    return kernel


def _grad_boxes_kernel(op, ctx):
    _method(op, (b"bilinear",))

    def kernel(grads, image, boxes, box_ind):
        grads, image = np.asarray(grads, _F32), np.asarray(image)
        boxes, box_ind = np.asarray(boxes, _F32), np.asarray(box_ind)
        if grads.ndim != 4:
            raise errors.InvalidArgumentError(
                None, op, f"grads image must be 4-D{_dbg(grads.shape)}"
            )
        n, ch, cw, depth = grads.shape
        if ch <= 0 or cw <= 0:
            raise errors.InvalidArgumentError(None, op, "grads dimensions must be positive")
        if image.ndim != 4:
            raise errors.InvalidArgumentError(
                None, op, f"input image must be 4-D{_dbg(image.shape)}"
            )
        if image.shape[1] <= 0 or image.shape[2] <= 0:
            raise errors.InvalidArgumentError(None, op, "image dimensions must be positive")
        if image.shape[3] != depth:
            raise errors.InvalidArgumentError(None, op, "image, grads depth differ")
        if _check_box_ind(op, boxes, box_ind, image.shape[0]) != n:
            raise errors.InvalidArgumentError(None, op, "boxes and grads have incompatible shape")
        out = np.zeros((n, 4), _F32)
        for b in range(n):
            out[b] = _box_grad(grads[b], image[box_ind[b]].astype(_F32), boxes[b], ch, cw)
        return out

    return kernel


def _box_grad(grads, img, box, ch: int, cw: int) -> np.ndarray:
    """One box's [dy1, dx1, dy2, dx2], summed in TF's order (y, x, depth)."""
    h, w = img.shape[0], img.shape[1]
    in_y, in_x, ok_y, ok_x = _box_samples(box, h, w, ch, cw, ratios=True)
    top, bottom, y_lerp = _corner_indices(in_y, ok_y, False)
    left, right, x_lerp = _corner_indices(in_x, ok_x, False)
    ys, xs = np.nonzero(ok_y[:, None] & ok_x[None, :])
    tl, tr = img[top[ys], left[xs]], img[top[ys], right[xs]]
    bl, br = img[bottom[ys], left[xs]], img[bottom[ys], right[xs]]
    yl, xl = y_lerp[ys][:, None], x_lerp[xs][:, None]
    one = _F32(1)
    g = grads[ys, xs]
    grad_y = ((one - xl) * (bl - tl) + xl * (br - tr)) * g
    grad_x = ((one - yl) * (tr - tl) + yl * (br - bl)) * g
    hr = _F32(_F32(h - 1) / _F32(ch - 1)) if ch > 1 else _F32(0)
    wr = _F32(_F32(w - 1) / _F32(cw - 1)) if cw > 1 else _F32(0)
    fy = ys.astype(_F32)[:, None] * hr
    fx = xs.astype(_F32)[:, None] * wr
    if ch > 1:
        dy1 = _sequential_sum(grad_y * (_F32(h - 1) - fy))
        dy2 = _sequential_sum(grad_y * fy)
    else:
        dy1 = dy2 = _sequential_sum(grad_y.astype(np.float64) * 0.5 * (h - 1), wide=True)
    if cw > 1:
        dx1 = _sequential_sum(grad_x * (_F32(w - 1) - fx))
        dx2 = _sequential_sum(grad_x * fx)
    else:
        dx1 = dx2 = _sequential_sum(grad_x.astype(np.float64) * 0.5 * (w - 1), wide=True)
    return np.array([dy1, dx1, dy2, dx2], _F32)


def _sequential_sum(terms: np.ndarray, wide: bool = False) -> np.float32:
    """A float32 accumulator += each term in order (terms in float64: added in float64,
    then rounded, as C++'s `float += double`)."""
    flat = terms.ravel()
    if not wide:
        return np.cumsum(np.concatenate([[_F32(0)], flat.astype(_F32)]), dtype=_F32)[-1]
    acc = _F32(0)
    for t in flat.tolist():
        acc = _F32(float(acc) + t)
    return acc


register_op(
    "CropAndResize",
    inputs=["image: T", "boxes: float", "box_ind: int32", "crop_size: int32"],
    outputs=["crops: float"],
    attrs=[
        "T: {uint8, uint16, int8, int16, int32, int64, half, float, double}",
        "method: string = 'bilinear'",
        "extrapolation_value: float = 0",
    ],
    shape=_crop_shape,
    make_kernel=_crop_kernel,
    grad=_crop_grad,
)
register_op(
    "CropAndResizeGradImage",
    inputs=["grads: float", "boxes: float", "box_ind: int32", "image_size: int32"],
    outputs=["output: T"],
    attrs=["T: {float, half, double}", "method: string = 'bilinear'"],
    shape=_grad_image_shape,
    make_kernel=_grad_image_kernel,
)
register_op(
    "CropAndResizeGradBoxes",
    inputs=["grads: float", "image: T", "boxes: float", "box_ind: int32"],
    outputs=["output: float"],
    attrs=[
        "T: {uint8, uint16, int8, int16, int32, int64, half, float, double}",
        "method: string = 'bilinear'",
    ],
    shape=_grad_boxes_shape,
    make_kernel=_grad_boxes_kernel,
)


def crop_and_resize(
    image,
    boxes,
    box_ind=None,
    crop_size=None,
    method="bilinear",
    extrapolation_value=0,
    name=None,
    box_indices=None,
):
    """Crops boxes out of a batch of images and resizes them to `crop_size`
    (CropAndResize; bilinear or nearest sampling, `extrapolation_value` outside)."""
    if box_indices is not None:
        if box_ind is not None:
            raise ValueError("Cannot specify both 'box_indices' and 'box_ind'")
        box_ind = box_indices
    return op_output(
        "CropAndResize",
        name,
        [image, boxes, box_ind, crop_size],
        {
            "method": method.encode() if isinstance(method, str) else method,
            "extrapolation_value": float(extrapolation_value),
        },
    )


def crop_and_resize_v2(
    image, boxes, box_indices, crop_size, method="bilinear", extrapolation_value=0.0, name=None
):
    """TF 2's `tf.image.crop_and_resize` (argument `box_indices`)."""
    return crop_and_resize(image, boxes, box_indices, crop_size, method, extrapolation_value, name)


# -- draw_bounding_boxes ---------------------------------------------------------------------

_COLOR_TABLE = [
    [1, 1, 0, 1],
    [0, 0, 1, 1],
    [1, 0, 0, 1],
    [0, 1, 0, 1],
    [0.5, 0, 0.5, 1],
    [0.5, 0.5, 0, 1],
    [0.5, 0, 0, 1],
    [0, 0, 0.5, 1],
    [0, 1, 1, 1],
    [1, 0, 1, 1],
]


def _colors(op, colors, depth: int) -> np.ndarray:
    if colors is not None:
        colors = np.asarray(colors, _F32)
        if colors.ndim != 2:
            raise errors.InvalidArgumentError(
                None, op, f"colors must be a 2-D matrix{_dbg(colors.shape)}"
            )
        if colors.shape[1] < depth:
            raise errors.InvalidArgumentError(
                None,
                op,
                "colors must have equal or more channels than the image provided: "
                + _dbg(colors.shape),
            )
        if colors.size:
            return colors[:, :depth]
    table = np.array(_COLOR_TABLE, _F32)
    if depth == 1:
        table[:, 0] = 1
    return table[:, :depth]


def _check_draw(op, images, boxes) -> None:
    if images.ndim != 4:
        raise errors.InvalidArgumentError(None, op, "The rank of the images should be 4")
    if boxes.ndim != 3:
        raise errors.InvalidArgumentError(None, op, "The rank of the boxes tensor should be 3")
    if images.shape[0] != boxes.shape[0]:
        raise errors.InvalidArgumentError(None, op, "The batch sizes should be the same")
    if images.shape[3] not in (1, 3, 4):
        raise errors.InvalidArgumentError(
            None, op, "Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)"
        )
    if boxes.shape[2] != 4:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"The size of the third dimension of the box must be 4. Received: {boxes.shape[2]}",
        )


def _draw_kernel(op, ctx):
    def kernel(images, boxes, colors=None):
        images, boxes = np.asarray(images), np.asarray(boxes, _F32)
        _check_draw(op, images, boxes)
        _, height, width, depth = images.shape
        table = _colors(op, colors, depth).astype(images.dtype)
        canvas = images.copy()
        edges = (boxes * np.array([height - 1, width - 1] * 2, _F32)).astype(np.int64)
        for b in range(boxes.shape[0]):
            for k in range(boxes.shape[1]):
                _draw_box(canvas[b], *edges[b, k], table[k % len(table)])
        return canvas

    return kernel


def _draw_box(canvas, top: int, left: int, bottom: int, right: int, color) -> None:
    """TF's outline of one box (rows and columns already scaled and truncated)."""
    height, width = canvas.shape[0], canvas.shape[1]
    if top > bottom or left > right:
        return  # (inverted: TF logs a warning)
    if top >= height or bottom < 0 or left >= width or right < 0:
        return  # (completely outside)
    r0, r1 = max(top, 0), min(bottom, height - 1)
    c0, c1 = max(left, 0), min(right, width - 1)
    if top >= 0:
        canvas[top, c0 : c1 + 1] = color
    if bottom < height:
        canvas[bottom, c0 : c1 + 1] = color
    if left >= 0:
        canvas[r0 : r1 + 1, left] = color
    if right < width:
        canvas[r0 : r1 + 1, right] = color


def _draw_shape(op):
    return [op._inputs[0]._shape.with_rank(4)]


register_op(
    "DrawBoundingBoxes",
    inputs=["images: T", "boxes: float"],
    outputs=["output: T"],
    attrs=["T: {float, half} = float"],
    shape=_draw_shape,
    make_kernel=_draw_kernel,
    grad=NOT_DIFFERENTIABLE,
)
register_op(
    "DrawBoundingBoxesV2",
    inputs=["images: T", "boxes: float", "colors: float"],
    outputs=["output: T"],
    attrs=["T: {float, half} = float"],
    shape=_draw_shape,
    make_kernel=_draw_kernel,
)


def draw_bounding_boxes(images, boxes, name=None, colors=None):
    """`images` ([batch, h, w, 1/3/4] float) with the outlines of `boxes` ([batch, n, 4],
    normalized) drawn in `colors` (a [k, depth+] table; TF's ten colours when None)."""
    if colors is None:
        return op_output("DrawBoundingBoxes", name, [images, boxes])
    return op_output("DrawBoundingBoxesV2", name, [images, boxes, colors])


# -- sample_distorted_bounding_box ------------------------------------------------------------


class _SimplePhilox:
    """TF's SimplePhilox on a copy of the op's Philox stream: 32-bit samples taken one
    at a time from consecutive blocks."""

    def __init__(self, key, counter: int) -> None:
        self._key, self._counter = key, counter
        self._buf: list = []

    def rand32(self) -> int:
        if not self._buf:
            from tfgraph.ops.philox import blocks

            self._buf = blocks(self._key, self._counter, 1)[0].tolist()[::-1]
            self._counter += 1
        return self._buf.pop()

    def rand_float(self) -> np.float32:
        bits = np.uint32((self.rand32() & 0x7FFFFF) | (127 << 23))
        return bits.view(_F32) - _F32(1)

    def uniform(self, n: int) -> int:
        """TF's ExactUniformInt over uint32: a rejection-sampled value in [0, n)."""
        if n & (n - 1) == 0:
            return self.rand32() & (n - 1)
        rem = (0xFFFFFFFF % n) + 1
        while True:
            r = self.rand32()
            if r >= rem:
                return r % n


def _lrintf(x) -> int:
    return int(np.rint(_F32(x)))  # (round half to even, as lrintf in the default mode)


def _random_crop(width: int, height: int, area_lo, area_hi, aspect, rng):
    """TF's GenerateRandomCrop: (x, y, w, h) or None."""
    if area_hi <= 0 or aspect <= 0 or width <= 0 or height <= 0 or area_lo > area_hi:
        return None
    min_area = _F32(_F32(area_lo * _F32(width)) * _F32(height))
    max_area = _F32(_F32(area_hi * _F32(width)) * _F32(height))
    h = _lrintf(np.sqrt(_F32(min_area / aspect)))
    max_h = _lrintf(np.sqrt(_F32(max_area / aspect)))
    if _lrintf(_F32(max_h) * aspect) > width:
        max_h = int((width + 0.5 - float(_F32(1e-7))) / float(aspect))
        if _lrintf(_F32(max_h) * aspect) > width:
            max_h -= 1
    max_h = min(max_h, height)
    h = min(h, max_h)
    if h < max_h:
        h += rng.uniform(max_h - h + 1)
    w = _lrintf(_F32(h) * aspect)
    area = _F32(w * h)
    if area < min_area:
        h += 1
        w = _lrintf(_F32(h) * aspect)
        area = _F32(w * h)
    if area > max_area:
        h -= 1
        w = _lrintf(_F32(h) * aspect)
        area = _F32(w * h)
    if area < min_area or area > max_area or w > width or h > height or w <= 0 or h <= 0:
        return None
    y = rng.uniform(height - h) if h < height else 0
    x = rng.uniform(width - w) if w < width else 0
    return x, y, w, h


def _rect_area(r) -> np.float32:
    return _F32((r[2] - r[0]) * (r[3] - r[1]))


def _covers(crop, min_covered, boxes) -> bool:
    """TF's SatisfiesOverlapConstraints (rectangles as (xmin, ymin, xmax, ymax))."""
    if _rect_area(crop) < 1:
        return False
    for box in boxes:
        area = _rect_area(box)
        if area < 1:
            continue
        lo_x, lo_y = max(crop[0], box[0]), max(crop[1], box[1])
        hi_x, hi_y = min(crop[2], box[2]), min(crop[3], box[3])
        inter = (lo_x, lo_y, hi_x, hi_y) if lo_x <= hi_x and lo_y <= hi_y else (0, 0, 0, 0)
        if _F32(_rect_area(inter) / area) >= min_covered:
            return True
    return False


def _check_sample_attrs(op) -> tuple:
    attrs = op._attrs
    aspect, area = list(attrs["aspect_ratio_range"]), list(attrs["area_range"])
    if len(aspect) != 2:
        raise errors.InvalidArgumentError(
            None, op, "Aspect ratio range field must specify 2 dimensions"
        )
    if not (aspect[0] > 0 and aspect[1] > 0):
        raise errors.InvalidArgumentError(
            None, op, f"Aspect ratio range must be non-negative: [{aspect[0]:g}, {aspect[1]:g}]"
        )
    if len(area) != 2:
        raise errors.InvalidArgumentError(None, op, "Area range field must specify 2 dimensions")
    if not (area[0] > 0 and area[1] > 0):
        raise errors.InvalidArgumentError(
            None, op, f"Area range must be non-negative: [{area[0]:g}, {area[1]:g}]"
        )
    if not (area[0] <= 1 and area[1] <= 1):
        raise errors.InvalidArgumentError(
            None, op, f"Area range must be less then or equal to 1.0: [{area[0]:g}, {area[1]:g}]"
        )
    if attrs["max_attempts"] <= 0:
        raise errors.InvalidArgumentError(
            None, op, f"Max attempts must be non-negative: {attrs['max_attempts']}"
        )
    return [_F32(v) for v in aspect], [_F32(v) for v in area], int(attrs["max_attempts"])


def _object_boxes(op, boxes, width: int, height: int) -> list:
    boxes = np.asarray(boxes, _F32)
    if boxes.ndim != 3:
        raise errors.InvalidArgumentError(
            None,
            op,
            f"input boxes must be 3-dimensional [batch, num_boxes, coords]: {_dbg(boxes.shape)}",
        )
    if boxes.shape[-1] != 4:
        raise errors.InvalidArgumentError(
            None, op, f"bounding boxes must have shape [4] or [*, 4], got {_dbg(boxes.shape)}"
        )
    rects = []
    for b in boxes.reshape(-1, 4):
        bad = [v for v in b if not 0 <= v <= 1]
        if bad:
            raise errors.InvalidArgumentError(
                None, op, f"All bounding box coordinates must be in [0.0, 1.0]: {bad[0]:g}"
            )
        rects.append(
            tuple(
                int(_F32(b[i] * _F32(size)))
                for i, size in ((1, width), (0, height), (3, width), (2, height))
            )
        )
    return rects


def _sample_kernel(op, ctx):
    from tfgraph.ops.random_ops import _tf_stream

    aspect, area, attempts = _check_sample_attrs(op)
    use_image = bool(op._attrs["use_image_if_no_bounding_boxes"])
    stream = _tf_stream(op, ctx)
    dtype = op._attrs["T"].as_numpy_dtype

    def kernel(image_size, bounding_boxes, min_object_covered):
        image_size = np.asarray(image_size)
        if image_size.ndim != 1:
            raise errors.InvalidArgumentError(
                None, op, f"image_size must be 1-dimensional{_dbg(image_size.shape)}"
            )
        if image_size.shape[0] != 3:
            raise errors.InvalidArgumentError(
                None, op, f"image_size must contain 3 elements{_dbg(image_size.shape)}"
            )
        height, width = int(image_size[0]), int(image_size[1])
        boxes = _object_boxes(op, bounding_boxes, width, height)
        covered = _scalar(op, min_object_covered, "min_object_covered", _F32)
        if covered < 0:
            raise errors.InvalidArgumentError(
                None, op, f"Min object covered must be non-negative: {float(covered):g}"
            )
        image_rect = (0, 0, width, height)
        if not boxes:
            if not use_image:
                raise errors.InvalidArgumentError(
                    None,
                    op,
                    "No bounding boxes provided as input. One must enable "
                    "use_image_if_no_bounding_boxes if you wish to not provide any "
                    "bounding boxes.",
                )
            boxes = [image_rect]
        rng = _SimplePhilox(stream.key, stream.reserve(attempts, 1))
        crop_rect = image_rect
        for _ in range(attempts):
            ratio = _F32(rng.rand_float() * _F32(aspect[1] - aspect[0]) + aspect[0])
            crop = _random_crop(width, height, area[0], area[1], ratio, rng)
            if crop is not None:
                rect = (crop[0], crop[1], crop[0] + crop[2], crop[1] + crop[3])
                if _covers(rect, covered, boxes):
                    crop_rect = rect
                    break
        x0, y0, x1, y1 = crop_rect
        begin = np.array([y0, x0, 0], dtype)
        size = np.array([y1 - y0, x1 - x0, -1], dtype)
        bbox = np.array(
            [y0 / _F32(height), x0 / _F32(width), y1 / _F32(height), x1 / _F32(width)], _F32
        )
        return begin, size, bbox.reshape(1, 1, 4)

    return kernel


def _sample_shape(op):
    op._inputs[0]._shape.with_rank(1)
    op._inputs[1]._shape.with_rank(3)
    op._inputs[2]._shape.with_rank(0)
    return [TensorShape([3]), TensorShape([3]), TensorShape([1, 1, 4])]


register_op(
    "SampleDistortedBoundingBoxV2",
    inputs=["image_size: T", "bounding_boxes: float", "min_object_covered: float"],
    outputs=["begin: T", "size: T", "bboxes: float"],
    attrs=[
        "T: {uint8, int8, int16, int32, int64}",
        "seed: int = 0",
        "seed2: int = 0",
        "aspect_ratio_range: list(float) = [0.75, 1.33]",
        "area_range: list(float) = [0.05, 1]",
        "max_attempts: int = 100",
        "use_image_if_no_bounding_boxes: bool = false",
    ],
    shape=_sample_shape,
    make_kernel=_sample_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


def sample_distorted_bounding_box(
    image_size,
    bounding_boxes,
    seed=None,
    seed2=None,
    min_object_covered=0.1,
    aspect_ratio_range=None,
    area_range=None,
    max_attempts=None,
    use_image_if_no_bounding_boxes=None,
    name=None,
):
    """A random crop of an image that covers part of its `bounding_boxes`
    (SampleDistortedBoundingBoxV2): (begin, size, bboxes) for tf.slice and
    draw_bounding_boxes. Draws TF's values for a given (seed, seed2); like TF's compat.v1
    function it passes them as they are (the graph-level seed is not used)."""
    attrs = {"seed": int(seed or 0), "seed2": int(seed2 or 0)}
    if aspect_ratio_range is not None:
        attrs["aspect_ratio_range"] = [float(v) for v in aspect_ratio_range]
    if area_range is not None:
        attrs["area_range"] = [float(v) for v in area_range]
    if max_attempts is not None:
        attrs["max_attempts"] = int(max_attempts)
    if use_image_if_no_bounding_boxes is not None:
        attrs["use_image_if_no_bounding_boxes"] = bool(use_image_if_no_bounding_boxes)
    with get_default_graph().name_scope(name or "sample_distorted_bounding_box"):
        op = apply_op(
            "SampleDistortedBoundingBoxV2",
            name,
            [image_size, bounding_boxes, min_object_covered],
            attrs,
        )
        return tuple(op._outputs)


# -- extract_glimpse ---------------------------------------------------------------------------


def _glimpse_noise(op) -> str:
    noise = op._attrs["noise"].decode()
    if op._attrs["uniform_noise"] and noise not in ("", "uniform"):
        raise errors.InvalidArgumentError(
            None, op, "The uniform_noise and noise could not be specified at the same time"
        )
    if not noise:
        return "uniform" if op._attrs["uniform_noise"] else "gaussian"
    if noise not in ("uniform", "gaussian", "zero"):
        raise errors.InvalidArgumentError(
            None, op, f"The noise could only be uniform, gaussian, or zero, got{noise}"
        )
    return noise


def _glimpse_origin(op, offset, size, in_size: int, window: int) -> int:
    """TF's top (or left) pixel of one glimpse (float32 arithmetic, truncated)."""
    v = _F32(offset)
    normalized, centered = op._attrs["normalized"], op._attrs["centered"]
    if normalized:
        v = _F32(v * _F32(in_size))
    if op._type == "ExtractGlimpse" or normalized:
        if centered:
            v = _F32(_F32(v / _F32(2)) + _F32(in_size) / _F32(2))
        if op._type == "ExtractGlimpse" or centered:
            v = _F32(v - _F32(window) / _F32(2))
    elif centered:
        v = _F32(v + _F32(in_size) / _F32(2))
    return int(v)  # (toward zero)


def _glimpse_fill(noise: str, image: np.ndarray, shape) -> np.ndarray:
    """The background of a glimpse that leaves the image (TF's noise is unseeded)."""
    rng = np.random.default_rng()
    if noise == "zero":
        return np.zeros(shape, _F32)
    if noise == "uniform":
        lo = image.min()
        return (lo + rng.random(shape, dtype=_F32) * (image.max() - lo)).astype(_F32)
    mean = image.mean(axis=(0, 1))
    sigma = np.sqrt(((image - mean) ** 2).mean(axis=(0, 1)))
    draw = mean + rng.standard_normal(shape, dtype=_F32) * sigma
    return np.clip(draw, image.min(axis=(0, 1)), image.max(axis=(0, 1))).astype(_F32)


def _glimpse_axis(origin: int, window: int, in_size: int) -> tuple:
    """(source start, extent, destination start, partial) along one axis, as TF's."""
    if origin < 0:
        visible = max(0, window + origin)
        return 0, min(in_size, visible), window - visible, True
    if origin + window >= in_size:
        return origin, min(in_size, max(0, in_size - origin)), 0, True
    return origin, min(in_size, window), 0, False


def _glimpse_kernel(op, ctx):
    noise = _glimpse_noise(op)

    def kernel(images, size, offsets):
        images, offsets = np.asarray(images, _F32), np.asarray(offsets, _F32)
        if images.ndim != 4:
            raise errors.InvalidArgumentError(
                None,
                op,
                "input must be 4-dimensional (batch_size, height, width, depth)"
                + _dbg(images.shape),
            )
        size = np.asarray(size)
        if size.shape != (2,):
            raise errors.InvalidArgumentError(
                None, op, f"input must be a vector of size 2 (height, width){_dbg(size.shape)}"
            )
        if offsets.ndim != 2:
            raise errors.InvalidArgumentError(
                None, op, f"input must be a matrix{_dbg(offsets.shape)}"
            )
        if offsets.shape[0] != images.shape[0]:
            raise errors.InvalidArgumentError(
                None, op, f"first dimension should be batch{_dbg(offsets.shape)}"
            )
        if offsets.shape[1] != 2:
            raise errors.InvalidArgumentError(
                None, op, f"second dimension should be of size 2 (y,x){_dbg(offsets.shape)}"
            )
        gh, gw = int(size[0]), int(size[1])
        batch, h, w, depth = images.shape
        out = np.zeros((batch, gh, gw, depth), _F32)
        if out.size == 0:
            return out
        for i in range(batch):
            oy = _glimpse_origin(op, offsets[i, 0], size, h, gh)
            ox = _glimpse_origin(op, offsets[i, 1], size, w, gw)
            sy, ny, dy, part_y = _glimpse_axis(oy, gh, h)
            sx, nx, dx, part_x = _glimpse_axis(ox, gw, w)
            if part_y or part_x:
                out[i] = _glimpse_fill(noise, images[i], (gh, gw, depth))
                if ny == 0 or nx == 0:
                    continue
            out[i, dy : dy + ny, dx : dx + nx] = images[i, sy : sy + ny, sx : sx + nx]
        return out

    return kernel


def _glimpse_shape(op):
    images = op._inputs[0]._shape.with_rank(4)
    op._inputs[1]._shape.with_rank(1)
    op._inputs[2]._shape.with_rank(2)
    size = common_shapes.constant_value(op._inputs[1])
    h, w = (None, None) if size is None else (int(size[0]), int(size[1]))
    return [TensorShape([images._dims[0], h, w, images._dims[3]])]


_GLIMPSE = {
    "inputs": ["input: float", "size: int32", "offsets: float"],
    "outputs": ["glimpse: float"],
    "attrs": [
        "centered: bool = true",
        "normalized: bool = true",
        "uniform_noise: bool = true",
        "noise: string = 'uniform'",
    ],
    "shape": _glimpse_shape,
    "make_kernel": _glimpse_kernel,
}
register_op("ExtractGlimpse", grad=NOT_DIFFERENTIABLE, **_GLIMPSE)  # type: ignore[arg-type]
register_op("ExtractGlimpseV2", **_GLIMPSE)  # type: ignore[arg-type]


def extract_glimpse(
    input,
    size,
    offsets,
    centered=True,
    normalized=True,
    uniform_noise=True,
    name=None,
):
    """Windows of `size` ([height, width]) out of each image, at `offsets` ([batch, 2],
    (y, x)); TF 1's semantics (ExtractGlimpse). Where a window leaves the image it is
    filled with uniform noise over the image's range (unseeded, as TF's)."""
    return op_output(
        "ExtractGlimpse",
        name,
        [input, size, offsets],
        {
            "centered": bool(centered),
            "normalized": bool(normalized),
            "uniform_noise": bool(uniform_noise),
        },
    )


# -- public functions -----------------------------------------------------------------------


def non_max_suppression(
    boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"), name=None
):
    """Indices of the boxes greedy non-max suppression keeps (NonMaxSuppressionV3)."""
    with get_default_graph().name_scope(name or "non_max_suppression"):
        iou_threshold = convert_to_tensor(iou_threshold, name="iou_threshold")
        score_threshold = convert_to_tensor(score_threshold, name="score_threshold")
        return op_output(
            "NonMaxSuppressionV3",
            None,
            [boxes, scores, max_output_size, iou_threshold, score_threshold],
        )


def non_max_suppression_with_scores(
    boxes,
    scores,
    max_output_size,
    iou_threshold=0.5,
    score_threshold=float("-inf"),
    soft_nms_sigma=0.0,
    name=None,
):
    """(selected indices, their scores) of (soft-)NMS (NonMaxSuppressionV5)."""
    with get_default_graph().name_scope(name or "non_max_suppression_with_scores"):
        iou_threshold = convert_to_tensor(iou_threshold, name="iou_threshold")
        score_threshold = convert_to_tensor(score_threshold, name="score_threshold")
        soft_nms_sigma = convert_to_tensor(soft_nms_sigma, name="soft_nms_sigma")
        op = apply_op(
            "NonMaxSuppressionV5",
            None,
            [boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma],
            {"pad_to_max_output_size": False},
        )
        return op._outputs[0], op._outputs[1]


def non_max_suppression_overlaps(
    overlaps,
    scores,
    max_output_size,
    overlap_threshold=0.5,
    score_threshold=float("-inf"),
    name=None,
):
    """NMS on a given [n, n] overlap matrix (NonMaxSuppressionWithOverlaps)."""
    with get_default_graph().name_scope(name or "non_max_suppression_overlaps"):
        overlap_threshold = convert_to_tensor(overlap_threshold, name="overlap_threshold")
        return op_output(
            "NonMaxSuppressionWithOverlaps",
            None,
            [overlaps, scores, max_output_size, overlap_threshold, score_threshold],
        )


def combined_non_max_suppression(
    boxes,
    scores,
    max_output_size_per_class,
    max_total_size,
    iou_threshold=0.5,
    score_threshold=float("-inf"),
    pad_per_class=False,
    clip_boxes=True,
    name=None,
):
    """Per-class NMS over a batch, merged by score (CombinedNonMaxSuppression):
    (nmsed_boxes, nmsed_scores, nmsed_classes, valid_detections)."""
    with get_default_graph().name_scope(name or "combined_non_max_suppression"):
        iou_threshold = convert_to_tensor(iou_threshold, dtype=dtypes.float32, name="iou_threshold")
        score_threshold = convert_to_tensor(
            score_threshold, dtype=dtypes.float32, name="score_threshold"
        )
        max_total_size = convert_to_tensor(max_total_size)
        op = apply_op(
            "CombinedNonMaxSuppression",
            None,
            [
                boxes,
                scores,
                max_output_size_per_class,
                max_total_size,
                iou_threshold,
                score_threshold,
            ],
            {"pad_per_class": bool(pad_per_class), "clip_boxes": bool(clip_boxes)},
        )
        return tuple(op._outputs)


def non_max_suppression_padded(
    boxes,
    scores,
    max_output_size,
    iou_threshold=0.5,
    score_threshold=float("-inf"),
    pad_to_max_output_size=False,
    name=None,
    sorted_input=False,
    canonicalized_coordinates=False,
    tile_size=512,
):
    """(selected indices, number valid) of NMS over boxes [..., n, 4] (batches need
    `pad_to_max_output_size`), by TF's tiled algorithm (TF's Python, built inline here:
    TF calls it as a function, so its graph holds a PartitionedCall instead)."""
    with get_default_graph().name_scope(name or "non_max_suppression_padded"):
        boxes = convert_to_tensor(boxes, name="boxes")
        rank = boxes.get_shape().ndims
        if not pad_to_max_output_size and rank is not None and rank > 2:
            raise ValueError(
                f"'pad_to_max_output_size' (value {pad_to_max_output_size}) must be True for "
                "batched input"
            )
        idx, num_valid = _nms_padded_v2(
            boxes,
            scores,
            max_output_size,
            iou_threshold,
            score_threshold,
            sorted_input,
            canonicalized_coordinates,
            tile_size,
        )
        if not pad_to_max_output_size:
            idx = idx[0, :num_valid]
        else:
            batch_dims = array_ops.concat(
                [array_ops.shape(boxes)[:-2], array_ops.expand_dims(max_output_size, 0)], 0
            )
            idx = array_ops.reshape(idx, batch_dims)
        return idx, num_valid


# -- generate_bounding_box_proposals ---------------------------------------------------------


def _proposals_kernel(op, ctx):
    """TF registers GenerateBoundingBoxProposals for GPUs only: on a CPU it fails so."""

    def kernel(*inputs):
        raise errors.InvalidArgumentError(
            None,
            op,
            "No OpKernel was registered to support Op 'GenerateBoundingBoxProposals' used by "
            f"{{{{node {op._name}}}}} with these attrs: [post_nms_topn="
            f"{op._attrs['post_nms_topn']}]\nRegistered devices: [CPU]\nRegistered kernels:\n"
            "  <no registered kernels>",
        )

    return kernel


def _proposals_shape(op):
    scores = op._inputs[0]._shape.with_rank(4)
    op._inputs[1]._shape.with_rank(4)
    op._inputs[2]._shape.with_rank(2)
    op._inputs[3]._shape.with_rank(3)
    for t in op._inputs[4:]:
        t._shape.with_rank(0)
    n, k = scores._dims[0], int(op._attrs["post_nms_topn"])
    return [TensorShape([n, k, 4]), TensorShape([n, k])]


register_op(
    "GenerateBoundingBoxProposals",
    inputs=[
        "scores: float",
        "bbox_deltas: float",
        "image_info: float",
        "anchors: float",
        "nms_threshold: float",
        "pre_nms_topn: int32",
        "min_size: float",
    ],
    outputs=["rois: float", "roi_probabilities: float"],
    attrs=["post_nms_topn: int = 300"],
    shape=_proposals_shape,
    make_kernel=_proposals_kernel,
    grad=NOT_DIFFERENTIABLE,
)

GenerateBoundingBoxProposals = collections.namedtuple(
    "GenerateBoundingBoxProposals", ["rois", "roi_probabilities"]
)


def generate_bounding_box_proposals(
    scores,
    bbox_deltas,
    image_info,
    anchors,
    nms_threshold=0.7,
    pre_nms_topn=6000,
    min_size=16,
    post_nms_topn=300,
    name=None,
):
    """(rois, roi_probabilities) of GenerateBoundingBoxProposals. The graph is TF's; like
    TF on a CPU (its only kernel is for GPUs), running it raises InvalidArgumentError."""
    op = apply_op(
        "GenerateBoundingBoxProposals",
        name,
        [scores, bbox_deltas, image_info, anchors, nms_threshold, pre_nms_topn, min_size],
        {"post_nms_topn": int(post_nms_topn)},
    )
    return GenerateBoundingBoxProposals(*op._outputs)


# -- TF's tiled NMS (non_max_suppression_padded) ----------------------------------------------


def _bbox_overlap(boxes_a, boxes_b):
    with get_default_graph().name_scope("bbox_overlap"):
        a_y_min, a_x_min, a_y_max, a_x_max = array_ops.split(boxes_a, 4, axis=2)
        b_y_min, b_x_min, b_y_max, b_x_max = array_ops.split(boxes_b, 4, axis=2)
        perm = [0, 2, 1]
        i_xmin = math_ops.maximum(a_x_min, array_ops.transpose(b_x_min, perm))
        i_xmax = math_ops.minimum(a_x_max, array_ops.transpose(b_x_max, perm))
        i_ymin = math_ops.maximum(a_y_min, array_ops.transpose(b_y_min, perm))
        i_ymax = math_ops.minimum(a_y_max, array_ops.transpose(b_y_max, perm))
        i_area = math_ops.maximum(i_xmax - i_xmin, 0) * math_ops.maximum(i_ymax - i_ymin, 0)
        a_area = (a_y_max - a_y_min) * (a_x_max - a_x_min)
        b_area = (b_y_max - b_y_min) * (b_x_max - b_x_min)
        u_area = a_area + array_ops.transpose(b_area, perm) - i_area + 1e-8
        return i_area / u_area


def _self_suppression(iou, _, iou_sum, iou_threshold):
    batch_size = array_ops.shape(iou)[0]
    can_suppress_others = array_ops.cast(
        array_ops.reshape(math_ops.reduce_max(iou, 1) < iou_threshold, [batch_size, -1, 1]),
        iou.dtype,
    )
    iou_after_suppression = (
        array_ops.reshape(
            array_ops.cast(
                math_ops.reduce_max(can_suppress_others * iou, 1) < iou_threshold, iou.dtype
            ),
            [batch_size, -1, 1],
        )
        * iou
    )
    iou_sum_new = math_ops.reduce_sum(iou_after_suppression, [1, 2])
    return [
        iou_after_suppression,
        math_ops.reduce_any(iou_sum - iou_sum_new > iou_threshold),
        iou_sum_new,
        iou_threshold,
    ]


def _cross_suppression(boxes, box_slice, iou_threshold, inner_idx, tile_size):
    batch_size = array_ops.shape(boxes)[0]
    new_slice = array_ops.slice(boxes, [0, inner_idx * tile_size, 0], [batch_size, tile_size, 4])
    iou = _bbox_overlap(new_slice, box_slice)
    keep = math_ops.reduce_all(iou < iou_threshold, [1])
    box_slice_after_suppression = array_ops.expand_dims(array_ops.cast(keep, box_slice.dtype), 2)
    return boxes, box_slice_after_suppression * box_slice, iou_threshold, inner_idx + 1


def _suppress_within_tile(box_slice, iou_threshold, tile_size):
    iou = _bbox_overlap(box_slice, box_slice)
    upper = array_ops.reshape(math_ops.range(tile_size), [1, -1]) > array_ops.reshape(
        math_ops.range(tile_size), [-1, 1]
    )
    mask = array_ops.expand_dims(upper, 0)
    iou *= array_ops.cast(math_ops.logical_and(mask, iou >= iou_threshold), iou.dtype)
    suppressed_iou, _, _, _ = while_loop(
        lambda _iou, loop_condition, _iou_sum, _: loop_condition,
        _self_suppression,
        [iou, constant(True), math_ops.reduce_sum(iou, [1, 2]), iou_threshold],
    )
    suppressed_box = math_ops.reduce_sum(suppressed_iou, 1) > 0
    return box_slice * array_ops.expand_dims(
        1.0 - array_ops.cast(suppressed_box, box_slice.dtype), 2
    )


def _suppression_loop_body(boxes, iou_threshold, output_size, idx, tile_size):
    with get_default_graph().name_scope("suppression_loop_body"):
        num_tiles = array_ops.shape(boxes)[1] // tile_size
        batch_size = array_ops.shape(boxes)[0]

        def cross_suppression_func(boxes, box_slice, iou_threshold, inner_idx):
            return _cross_suppression(boxes, box_slice, iou_threshold, inner_idx, tile_size)

        box_slice = array_ops.slice(boxes, [0, idx * tile_size, 0], [batch_size, tile_size, 4])
        _, box_slice, _, _ = while_loop(
            lambda _boxes, _box_slice, _threshold, inner_idx: inner_idx < idx,
            cross_suppression_func,
            [boxes, box_slice, iou_threshold, constant(0)],
        )
        box_slice = _suppress_within_tile(box_slice, iou_threshold, tile_size)
        mask = array_ops.reshape(
            array_ops.cast(math_ops.equal(math_ops.range(num_tiles), idx), boxes.dtype),
            [1, -1, 1, 1],
        )
        boxes = array_ops.tile(
            array_ops.expand_dims(box_slice, [1]), [1, num_tiles, 1, 1]
        ) * mask + array_ops.reshape(boxes, [batch_size, num_tiles, tile_size, 4]) * (1 - mask)
        boxes = array_ops.reshape(boxes, [batch_size, -1, 4])
        output_size += math_ops.reduce_sum(
            array_ops.cast(math_ops.reduce_any(box_slice > 0, [2]), dtypes.int32), [1]
        )
    return boxes, iou_threshold, output_size, idx + 1


def _canonicalize(boxes):
    with get_default_graph().name_scope("canonicalize_coordinates"):
        y_1, x_1, y_2, x_2 = array_ops.split(boxes, 4, axis=2)
        y_1_is_min = math_ops.reduce_all(math_ops.less_equal(y_1[0, 0, 0], y_2[0, 0, 0]))
        y_min, y_max = cond(y_1_is_min, lambda: (y_1, y_2), lambda: (y_2, y_1))
        x_1_is_min = math_ops.reduce_all(math_ops.less_equal(x_1[0, 0, 0], x_2[0, 0, 0]))
        x_min, x_max = cond(x_1_is_min, lambda: (x_1, x_2), lambda: (x_2, x_1))
        return array_ops.concat([y_min, x_min, y_max, x_max], axis=2)


def _sort_scores_and_boxes(scores, boxes):
    with get_default_graph().name_scope("sort_scores_and_boxes"):
        order = argsort(scores, axis=1, direction="DESCENDING")
        # (TF gathers with batch_dims=1; tfgraph's GatherV2 takes batch_dims=0, so the
        # rows are gathered from the flattened batch)
        shape = array_ops.shape(scores)
        offsets = array_ops.expand_dims(math_ops.range(shape[0]) * shape[1], 1)
        flat = array_ops.reshape(order + offsets, [-1])
        sorted_scores = array_ops.reshape(
            array_ops.gather(array_ops.reshape(scores, [-1]), flat), shape
        )
        sorted_boxes = array_ops.reshape(
            array_ops.gather(array_ops.reshape(boxes, [-1, 4]), flat), array_ops.shape(boxes)
        )
    return sorted_scores, sorted_boxes, order


def _prepare_padded(boxes, scores, score_threshold, sorted_input, canonicalized):
    """TF's first steps: flatten the batch, zero boxes under the score threshold, put
    corners in (min, max) order, sort by score."""
    num_boxes = array_ops.shape(boxes)[-2]
    boxes = array_ops.reshape(boxes, [-1, num_boxes, 4])
    scores = array_ops.reshape(scores, [-1, num_boxes])
    if score_threshold != float("-inf"):
        with get_default_graph().name_scope("filter_by_score"):
            score_mask = array_ops.cast(scores > score_threshold, scores.dtype)
            scores *= score_mask
            boxes *= array_ops.expand_dims(array_ops.cast(score_mask, boxes.dtype), 2)
    if not canonicalized:
        boxes = _canonicalize(boxes)
    if not sorted_input:
        scores, boxes, sorted_indices = _sort_scores_and_boxes(scores, boxes)
    else:
        sorted_indices = array_ops.zeros_like(scores, dtype=dtypes.int32)
    return num_boxes, boxes, scores, sorted_indices


def _nms_padded_v2(
    boxes,
    scores,
    max_output_size,
    iou_threshold,
    score_threshold,
    sorted_input,
    canonicalized_coordinates,
    tile_size,
):
    """TF's non_max_suppression_padded_v2: [batch, max_output_size] indices, num_valid."""
    batch_dims = array_ops.shape(boxes)[:-2]
    num_boxes, boxes, scores, sorted_indices = _prepare_padded(
        boxes, scores, score_threshold, sorted_input, canonicalized_coordinates
    )
    batch_size = array_ops.shape(boxes)[0]
    longest = array_ops.cast(math_ops.maximum(num_boxes, max_output_size), dtypes.float32)
    tiles = math_ops.ceil(longest / array_ops.cast(tile_size, dtypes.float32))
    pad = array_ops.cast(tiles, dtypes.int32) * tile_size - num_boxes
    boxes = array_ops.pad(array_ops.cast(boxes, dtypes.float32), [[0, 0], [0, pad], [0, 0]])
    scores = array_ops.pad(array_ops.cast(scores, dtypes.float32), [[0, 0], [0, pad]])
    num_boxes_after_padding = num_boxes + pad
    num_iterations = num_boxes_after_padding // tile_size

    def _loop_cond(unused_boxes, unused_threshold, output_size, idx):
        return math_ops.logical_and(
            math_ops.reduce_min(output_size) < max_output_size, idx < num_iterations
        )

    def suppression_loop_body(boxes, iou_threshold, output_size, idx):
        return _suppression_loop_body(boxes, iou_threshold, output_size, idx, tile_size)

    selected_boxes, _, output_size, _ = while_loop(
        _loop_cond,
        suppression_loop_body,
        [boxes, iou_threshold, array_ops.zeros([batch_size], dtypes.int32), constant(0)],
        shape_invariants=[
            TensorShape([None, None, 4]),
            TensorShape([]),
            TensorShape([None]),
            TensorShape([]),
        ],
    )
    num_valid = math_ops.minimum(output_size, max_output_size)
    return _padded_indices(
        selected_boxes, num_valid, num_boxes, num_boxes_after_padding, batch_size,
        batch_dims, max_output_size, sorted_input, sorted_indices,
    )  # fmt: skip


def _padded_indices(
    selected_boxes, num_valid, num_boxes, num_after_padding, batch_size, batch_dims,
    max_output_size, sorted_input, sorted_indices,
):  # fmt: skip
    kept = array_ops.cast(math_ops.reduce_any(selected_boxes > 0, [2]), dtypes.int32)
    ranks = kept * array_ops.expand_dims(math_ops.range(num_after_padding, 0, -1), 0)
    idx = num_after_padding - array_ops.cast(top_k(ranks, max_output_size)[0], dtypes.int32)
    idx = math_ops.minimum(idx, num_boxes - 1)
    if not sorted_input:
        index_offsets = math_ops.range(batch_size) * num_boxes
        gather_idx = array_ops.reshape(idx + array_ops.expand_dims(index_offsets, 1), [-1])
        idx = array_ops.reshape(
            array_ops.gather(array_ops.reshape(sorted_indices, [-1]), gather_idx),
            [batch_size, -1],
        )
    invalid_index = array_ops.zeros([batch_size, max_output_size], dtype=dtypes.int32)
    idx_index = array_ops.expand_dims(math_ops.range(max_output_size), 0)
    num_valid_expanded = array_ops.expand_dims(num_valid, 1)
    idx = array_ops.where(idx_index < num_valid_expanded, idx, invalid_index)
    num_valid = array_ops.reshape(num_valid, batch_dims)
    return idx, num_valid


# TF2's spellings (`tfgraph.compat.v2`): the same ops, TF2's parameters.


def draw_bounding_boxes_v2(images, boxes, colors, name=None):
    """TF2's `tf.image.draw_bounding_boxes` (colors required)."""
    return draw_bounding_boxes(images, boxes, name=name, colors=colors)


def extract_glimpse_v2(
    input, size, offsets, centered=True, normalized=True, noise="uniform", name=None
):
    """TF2's `tf.image.extract_glimpse` (ExtractGlimpseV2): `noise` names what fills a
    window outside the image ('uniform', 'gaussian' or 'zero')."""
    return op_output(
        "ExtractGlimpseV2",
        name,
        [input, size, offsets],
        {
            "centered": bool(centered),
            "normalized": bool(normalized),
            "uniform_noise": False,
            "noise": noise.encode() if isinstance(noise, str) else noise,
        },
    )


def sample_distorted_bounding_box_v2(
    image_size,
    bounding_boxes,
    seed=0,
    min_object_covered=0.1,
    aspect_ratio_range=None,
    area_range=None,
    max_attempts=None,
    use_image_if_no_bounding_boxes=None,
    name=None,
):
    """TF2's `tf.image.sample_distorted_bounding_box`: one `seed`, combined with the
    global seed (0: unseeded)."""
    from tfgraph.framework.random_seed import get_seed

    seed1, seed2 = get_seed(seed) if seed else (0, 0)
    return sample_distorted_bounding_box(
        image_size, bounding_boxes, seed=seed1, seed2=seed2,
        min_object_covered=min_object_covered, aspect_ratio_range=aspect_ratio_range,
        area_range=area_range, max_attempts=max_attempts,
        use_image_if_no_bounding_boxes=use_image_if_no_bounding_boxes, name=name,
    )  # fmt: skip
