"""What Keras remembers about the tensors it makes, kept beside the graph (weakly keyed
by tensor), never on the tensors: which layer call made a tensor (its history, for
functional models), the logits a softmax/sigmoid output came from (for losses) and the
mask that travels with it (Embedding(mask_zero=True), Masking)."""

from __future__ import annotations

import weakref
from typing import Any

_HISTORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOGITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MASKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def set_history(tensor, layer, node_index: int, tensor_index: int) -> None:
    _HISTORY[tensor] = (layer, node_index, tensor_index)


def history(tensor) -> Any:
    """(layer, node index, tensor index) of a Keras symbolic tensor, else None."""
    try:
        return _HISTORY.get(tensor)
    except TypeError:
        return None


def set_logits(tensor, logits) -> None:
    _LOGITS[tensor] = logits


def logits(tensor):
    try:
        return _LOGITS.get(tensor)
    except TypeError:
        return None


def set_mask(tensor, mask) -> None:
    """Records the boolean mask (e.g. [batch, time]) Keras propagates with `tensor`."""
    if mask is None:
        _MASKS.pop(tensor, None)
    else:
        _MASKS[tensor] = mask


def mask(tensor):
    try:
        return _MASKS.get(tensor)
    except TypeError:
        return None
