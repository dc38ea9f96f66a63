"""Keras 2's DenseFeatures (TF1 graph mode): dense feature columns as one
[batch, features] tensor, the columns in the order of their names, each in its name
scope; an embedding column's weights are `<layer>/<column>/embedding_weights`."""

from __future__ import annotations

from tfgraph.keras.engine.base_layer import Layer

__all__ = ["DenseFeatures"]


def _is_embedding(column) -> bool:
    from tfgraph.feature_column import _columns

    return isinstance(column, _columns.EmbeddingColumn)


class DenseFeatures(Layer):
    """`layer(features)`: the dense columns' tensors, flattened per example and
    concatenated (numeric, bucketized, indicator and embedding columns)."""

    def __init__(self, feature_columns, trainable=True, name=None, partitioner=None, **kwargs):
        from tfgraph.feature_column import shared
        from tfgraph.feature_column._input_layer import _normalize_feature_columns

        super().__init__(name=name, trainable=trainable, **kwargs)
        if partitioner is not None:
            raise NotImplementedError("tfgraph's DenseFeatures has no partitioner")
        columns = _normalize_feature_columns(feature_columns)
        for column in columns:
            if not column._dense:
                raise ValueError(
                    "Items of feature_columns must be a <class 'tensorflow.python."
                    "feature_column.feature_column_v2.DenseColumn'>. You can wrap a "
                    "categorical column with an embedding_column or indicator_column. "
                    f"Given: {column}"
                )
            if isinstance(column, shared.SharedEmbeddingColumn):
                raise NotImplementedError(
                    "tfgraph's DenseFeatures takes no shared embedding columns (use "
                    "tf.feature_column.input_layer)"
                )
        self._feature_columns = sorted(columns, key=lambda c: c.name)
        self._embeddings: dict = {}

    def build(self, input_shape=None) -> None:
        for column in self._feature_columns:
            if _is_embedding(column):
                self._embeddings[column.name] = self.add_weight(
                    name=f"{column.name}/embedding_weights",
                    shape=(column.categorical_column._num_buckets, column.dimension),
                    initializer=column.initializer,
                    trainable=self.trainable and column.trainable,
                )
        self.built = True

    def __call__(self, features, cols_to_output_tensors=None, training=None, **kwargs):
        from tfgraph.framework.graph import get_default_graph

        if not isinstance(features, dict):
            raise ValueError("We expected a dictionary here. Instead we got: ", features)
        with get_default_graph().name_scope(self.name):
            if not self.built:
                self.build()
            return self.call(features, cols_to_output_tensors, training)

    def call(self, features, cols_to_output_tensors=None, training=None):
        from tfgraph.feature_column._input_layer import _check_batch_sizes, _LazyBuilder
        from tfgraph.framework.graph import get_default_graph
        from tfgraph.ops import array_ops

        builder = _LazyBuilder(features)
        outputs = []
        for column in self._feature_columns:
            with get_default_graph().name_scope(column.name):
                tensor = self._dense_tensor(column, builder)
                size = column._variable_shape.num_elements()
                output = array_ops.reshape(tensor, (array_ops.shape(tensor)[0], size))
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = output
                outputs.append(output)
        _check_batch_sizes(outputs, self._feature_columns)
        return array_ops.concat(outputs, 1)

    def _dense_tensor(self, column, builder):
        from tfgraph.ops.embedding_ops import embedding_lookup_sparse, safe_embedding_lookup_sparse

        if not _is_embedding(column):
            return column._get_dense_tensor(builder)
        pair = column.categorical_column._get_sparse_tensors(builder)
        rank = pair.id_tensor.dense_shape.get_shape().as_list()[0]
        lookup = safe_embedding_lookup_sparse
        if not column.use_safe_embedding_lookup and rank is not None and rank <= 2:
            lookup = embedding_lookup_sparse
        return lookup(
            self._embeddings[column.name],
            pair.id_tensor,
            pair.weight_tensor,
            combiner=column.combiner,
            name=f"{column.name}_weights",
            max_norm=column.max_norm,
        )
