"""`tf.case`: the first branch whose predicate is true, as nested TF1 `cond`s."""

from __future__ import annotations

import functools
import logging

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.ops import Tensor
from tfgraph.ops import array_ops, check_ops, control_flow_ops, math_ops

__all__ = ["case", "switch_case"]


def _assert_at_most_n_true(predicates, n: int, msg: str):
    """An Assert that at most `n` of the boolean scalars `predicates` are true."""
    preds_c = array_ops.stack(predicates, name="preds_c")
    num_true = math_ops.reduce_sum(array_ops.cast(preds_c, dtypes.int32), name="num_true_conds")
    condition = math_ops.less_equal(num_true, array_ops.constant(n, name="n_true_conds"))
    preds_names = ", ".join(getattr(p, "name", "?") for p in predicates)
    error_msg = [
        f"{msg}: more than {n} conditions ({preds_names}) evaluated as True:",
        preds_c,
    ]
    return check_ops.Assert(condition, data=error_msg, summarize=len(predicates))


def _case_create_default_action(predicates, actions):
    """With no default, the last branch becomes the default, guarded by asserts."""
    k = len(predicates) - 1
    predicate, action = predicates[k], actions[k]
    other_predicates, other_actions = predicates[:k], actions[:k]

    def default_action():
        others_msg = (
            f"Implementation error: selected default action #{k} was called, but some of "
            "other predicates are True: "
        )
        default_msg = (
            "Input error: None of conditions evaluated as True:",
            array_ops.stack(predicates, name="preds_c"),
        )
        with get_default_graph().control_dependencies(
            [
                _assert_at_most_n_true(other_predicates, n=0, msg=others_msg),
                check_ops.Assert(predicate, data=default_msg),
            ]
        ):
            return action()

    return default_action, other_predicates, other_actions


def _verify(pred_fn_pairs, exclusive: bool, name: str):
    if not isinstance(pred_fn_pairs, (list, tuple, dict)):
        raise TypeError(
            f"'pred_fn_pairs' must be a list, tuple, or dict. Received: {type(pred_fn_pairs)}"
        )
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = sorted(pred_fn_pairs.items(), key=lambda item: item[0].name)
        if not exclusive:
            logging.getLogger("tfgraph").warning(
                "%s: An unordered dictionary of predicate/fn pairs was provided, but "
                "exclusive=False. The order of conditional tests is deterministic but not "
                "guaranteed.",
                name,
            )
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received {pair}.")
        pred, fn = pair
        if isinstance(pred, Tensor):
            if pred.dtype != dtypes.bool:
                raise TypeError(f"pred must be Tensor of type bool: {pred.name}")
        else:
            raise TypeError(f"pred must be a Tensor, got: {pred}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    predicates, actions = zip(*pred_fn_pairs)
    return predicates, actions


def case(pred_fn_pairs, default=None, exclusive: bool = False, strict: bool = False, name="case"):
    """The result of the first `fn` whose `pred` is true (all preds evaluated; with
    `exclusive`, an Assert checks at most one is true); `default()` if none is (without a
    default, the last pair is the default and must be true).

    Args:
        pred_fn_pairs: list of (boolean scalar tensor, callable) pairs (or a dict).
        default: callable for when no predicate is true.
        exclusive: assert that at most one predicate is true.
        strict: passed to `cond`.
        name: name scope of the ops.
    """
    predicates, actions = _verify(pred_fn_pairs, exclusive, name)
    g = get_default_graph()
    with g.name_scope(name or "case"):
        if default is None:
            default, predicates, actions = _case_create_default_action(predicates, actions)
        fn = default
        for predicate, action in reversed(list(zip(predicates, actions))):
            fn = functools.partial(
                control_flow_ops.cond, predicate, true_fn=action, false_fn=fn, strict=strict
            )
        if exclusive:
            with g.control_dependencies(
                [_assert_at_most_n_true(predicates, n=1, msg="Input error: exclusive=True")]
            ):
                return fn()
        return fn()


# -- tf.switch_case ---------------------------------------------------------------------
def _switch_case_actions(branch_fns, default, branch_index) -> list:
    """The branches in index order (then `default`), checked as TF checks them."""
    if not isinstance(branch_index, Tensor):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    if not branch_index.dtype.is_integer:
        raise TypeError(f"'branch_index' must be an integer Tensor, got {branch_index.dtype}")
    if not branch_fns:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    if not isinstance(branch_fns, (list, tuple, dict)):
        raise TypeError("'branch_fns' must be a list, tuple, or dict")
    pairs = list(branch_fns.items()) if isinstance(branch_fns, dict) else list(branch_fns)
    if all(callable(fn) for fn in pairs):
        pairs = list(enumerate(pairs))
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'branch_fns' must be a 2-tuple. Received {pair}.")
        key, fn = pair
        if not isinstance(key, int):
            raise TypeError(f"key must be a Python `int`, got {type(key)}")
        if not callable(fn):
            raise TypeError(f"fn for key {key} must be callable.")
    keys = [k for k, _ in pairs]
    if min(keys) < 0 or max(keys) >= len(keys) or len(set(keys)) != len(keys):
        raise ValueError(
            f"branch indices (keys) must form contiguous range of [0 to {len(keys)}) but "
            f"found {{{','.join(map(str, sorted(keys)))}}}"
        )
    actions = [fn for _, fn in sorted(pairs, key=lambda p: p[0])]
    if default is not None:
        actions.append(default)
    return actions


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """The result of `branch_fns[branch_index]()` (of `default()`, or of the last
    branch when there is no default, for an index out of range).

    TF builds one functional StatelessCase op; tfgraph builds the TF1 equivalent, a
    chain of `cond`s on the clamped index, with the same values and gradients (a
    GraphDef holding it is not TF's).
    """
    actions = _switch_case_actions(branch_fns, default, branch_index)
    n = len(actions)
    with get_default_graph().name_scope(name or "case"):
        out_of_range = math_ops.logical_or(
            math_ops.less(branch_index, 0), math_ops.greater_equal(branch_index, n)
        )
        index = array_ops.where(
            out_of_range, array_ops.fill(array_ops.shape(branch_index), n - 1), branch_index
        )

        def chain(i: int):
            if i == n - 1:
                return actions[i]
            return lambda: control_flow_ops.cond(
                math_ops.equal(index, i), actions[i], chain(i + 1), name=f"branch_{i}"
            )

        return chain(0)()
