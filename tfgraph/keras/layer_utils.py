"""`tf.keras.utils.get_source_inputs` and `warmstart_embedding_matrix` (Keras 2)."""

from __future__ import annotations

import os

import numpy as np

__all__ = ["get_source_inputs", "warmstart_embedding_matrix"]


def _flatten(x) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _flatten(item)]
    if isinstance(x, dict):
        return [leaf for key in sorted(x) for leaf in _flatten(x[key])]
    return [x]


def get_source_inputs(tensor, layer=None, node_index=None):
    """The Input tensors a Keras tensor was computed from (in first-seen order); a
    tensor without Keras history is returned as it is."""
    from tfgraph.keras.engine import keras_tensor
    from tfgraph.keras.engine.input_layer import InputLayer

    history = keras_tensor.history(tensor)
    if history is None:
        return tensor
    if layer is None or node_index:
        layer, node_index, _ = history
    if not layer._inbound_nodes:
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if isinstance(layer, InputLayer):
        return _flatten(node.outputs)
    sources: list = []
    for x in _flatten(node.inputs):
        upstream = keras_tensor.history(x)
        found = get_source_inputs(x, *upstream[:2]) if upstream else [x]
        for source in found:
            if all(source is not s for s in sources):
                sources.append(source)
    return sources


_VOCAB = (
    "Vocabulary is expected to be either a NumPy array, list, 1D tensor or a vocabulary text file"
)


def _vocab_list(vocab) -> list:
    from tfgraph.framework.api_utils import is_tensor

    if is_tensor(vocab):
        words = list(vocab.numpy())  # (eager tensors only, as Keras)
    elif isinstance(vocab, (np.ndarray, tuple, list)):
        words = list(vocab)
    elif isinstance(vocab, str):
        if not os.path.exists(vocab):
            raise ValueError(f"Vocabulary file {vocab} does not exist.")
        with open(vocab) as f:
            words = f.read().splitlines()
    else:
        raise ValueError(f"{_VOCAB}. Instead type {type(vocab)} was received.")
    if not words:
        raise ValueError(f"{_VOCAB} with at least one token. Received 0 instead.")
    return words


def warmstart_embedding_matrix(
    base_vocabulary, new_vocabulary, base_embeddings, new_embeddings_initializer="uniform"
):
    """An embedding matrix for `new_vocabulary`: the rows of `base_embeddings` for the
    words both vocabularies have, `new_embeddings_initializer` values for the others
    (a tensor: evaluate it in a session)."""
    from tfgraph.keras import initializers
    from tfgraph.ops import array_ops, manip_ops

    base_words = _vocab_list(base_vocabulary)
    new_words = _vocab_list(new_vocabulary)
    initializer = initializers.get(new_embeddings_initializer)
    embedding = initializer(
        shape=(len(new_words), base_embeddings.shape[1]), dtype=base_embeddings.dtype
    )
    position = {word: i for i, word in enumerate(base_words)}
    pairs = [(position[w], i) for i, w in enumerate(new_words) if w in position]
    if pairs:
        rows = array_ops.gather(base_embeddings, [p[0] for p in pairs])
        targets = array_ops.expand_dims([p[1] for p in pairs], axis=1)
        embedding = manip_ops.tensor_scatter_nd_update(embedding, targets, rows)
    return embedding
