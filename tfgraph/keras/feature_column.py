"""`tf.keras.experimental.SequenceFeatures`: sequence feature columns (embedding or
indicator columns of `sequence_categorical_column_with_*`, and `sequence_numeric_column`)
as one dense [batch, steps, features] tensor and the sequence lengths, for an RNN.

As Keras 2 builds it: the columns in the order of their names, each in its name scope;
an embedding column's weights are `<layer>/<column>/embedding_weights`; each column's
length per example is one past its last step (from the sparse indices, 0 for an empty
row), and the lengths of the columns must agree (checked when the graph runs)."""

from __future__ import annotations

from tfgraph.keras.engine.base_layer import Layer

__all__ = ["SequenceFeatures"]


def _kind(column) -> str | None:
    """ "embedding", "indicator", "numeric" for the sequence dense columns, else None."""
    from tfgraph.feature_column import _columns, sequence

    if isinstance(column, sequence.SequenceNumericColumn):
        return "numeric"
    if isinstance(column, _columns.EmbeddingColumn):
        return "embedding"
    if isinstance(column, _columns.IndicatorColumn):
        return "indicator"
    return None


class SequenceFeatures(Layer):
    """A layer for sequence input: `output, sequence_length = layer(features)`."""

    def __init__(self, feature_columns, trainable=True, name=None, **kwargs) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        columns = list(feature_columns)
        if not columns:
            raise ValueError("feature_columns must not be empty.")
        for column in columns:
            if _kind(column) is None:
                raise ValueError(
                    "Items of feature_columns must be a <class 'tensorflow.python."
                    "feature_column.feature_column_v2.SequenceDenseColumn'>. You can wrap a "
                    "categorical column with an embedding_column or indicator_column. "
                    f"Given: {column}"
                )
        self._feature_columns = sorted(columns, key=lambda c: c.name)
        self._embeddings: dict = {}

    def build(self, input_shape=None) -> None:
        for column in self._feature_columns:
            if _kind(column) == "embedding":
                self._embeddings[column.name] = self.add_weight(
                    name=f"{column.name}/embedding_weights",
                    shape=(column.categorical_column._num_buckets, column.dimension),
                    initializer=column.initializer,
                    trainable=self.trainable and column.trainable,
                )
        self.built = True

    def __call__(self, features, training=None, **kwargs):
        from tfgraph.framework.graph import get_default_graph

        if not isinstance(features, dict):
            raise ValueError("We expected a dictionary here. Instead we got: ", features)
        with get_default_graph().name_scope(self.name):
            if not self.built:
                self.build()
            return self.call(features, training)

    def call(self, features, training=None):
        from tfgraph.feature_column._input_layer import _LazyBuilder
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.ops import array_ops

        builder = _LazyBuilder(features)
        outputs, lengths = [], []
        for column in self._feature_columns:
            with get_default_graph().name_scope(column.name):
                dense, length = self._sequence_dense(column, builder)
                size = column._variable_shape.num_elements()
                shape = array_ops.shape(dense)
                outputs.append(array_ops.reshape(dense, [shape[0], shape[1], size]))
                lengths.append(length)
        return array_ops.concat(outputs, -1), _all_equal(lengths)

    def _sequence_dense(self, column, builder):
        from tfgraph.ops import array_ops, sparse_ops
        from tfgraph.ops.embedding_ops import safe_embedding_lookup_sparse

        kind = _kind(column)
        if kind == "numeric":
            sparse = column._transform_feature(builder)
            default = 0.0 if column.default_value is None else column.default_value
            dense = sparse_ops.sparse_tensor_to_dense(sparse, default_value=default)
            target = array_ops.concat([array_ops.shape(dense)[:1], [-1], list(column.shape)], 0)
            dense = array_ops.reshape(dense, target)
            per_step = column._variable_shape.num_elements()
            rank = sparse.get_shape().ndims
            return dense, _sequence_length(sparse, per_step if rank == 2 else 1)
        inner = column.categorical_column
        if not getattr(inner, "_sequence", False):
            raise ValueError(
                f"In {kind}_column: {column.name}. categorical_column must be of type "
                "SequenceCategoricalColumn to use SequenceFeatures. Suggested fix: Use one "
                f"of sequence_categorical_column_with_*. Given (type {type(inner)}): {inner}"
            )
        pair = inner._get_sparse_tensors(builder)
        if kind == "indicator":
            dense = builder.get(column)
        else:
            dense = safe_embedding_lookup_sparse(
                self._embeddings[column.name],
                pair.id_tensor,
                pair.weight_tensor,
                combiner=column.combiner,
                name=f"{column.name}_weights",
                max_norm=column.max_norm,
            )
        return dense, _sequence_length(pair.id_tensor)


def _sequence_length(sparse, per_step: int = 1):
    """Per example: one past the last step holding a value (values / `per_step` for a
    numeric column given flat), 0 for examples with none."""
    from tfgraph.framework import dtypes
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.ops import array_ops, math_ops, segment_ops

    with get_default_graph().name_scope("sequence_length") as scope:
        rows = sparse.indices[:, 0]
        steps = sparse.indices[:, 1] + array_ops.ones_like(sparse.indices[:, 1])
        length = segment_ops.segment_max(steps, segment_ids=rows)
        length = array_ops.cast(math_ops.ceil(length / per_step), dtypes.int64)
        missing = sparse.dense_shape[:1] - array_ops.shape(length, out_type=dtypes.int64)[:1]
        padding = array_ops.zeros(missing, dtype=length.dtype)
        return array_ops.concat([length, padding], axis=0, name=scope)


def _all_equal(lengths: list):
    from tfgraph.framework.graph import get_default_graph
    from tfgraph.ops import array_ops, check_ops

    g = get_default_graph()
    with g.name_scope("assert_all_equal"):
        if len(lengths) == 1:
            return lengths[0]
        checks = [check_ops.assert_equal(lengths[0], other) for other in lengths[1:]]
        with g.control_dependencies(checks):
            return array_ops.identity(lengths[0])
