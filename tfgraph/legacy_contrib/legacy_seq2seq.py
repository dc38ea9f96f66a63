"""TF 1.15's `tf.contrib.legacy_seq2seq`: the list-of-tensors sequence-to-sequence models
(encoders run by `static_rnn`, decoders unrolled step by step), the attention decoder
of Vinyals et al. (2015), the sequence losses and bucketed models.

Everything is built as contrib built it, so that checkpoints interchange and graphs
match: the same variable scopes (`embedding_attention_seq2seq/rnn/embedding_wrapper/
embedding`, `.../attention_decoder/AttnW_0`, `Attention_0/kernel`,
`AttnOutputProjection/bias`, ...), the same deep copies of the caller's cell, the same
`cond` over two decoders when `feed_previous` is a boolean tensor.
"""

from __future__ import annotations

import copy

from tfgraph.framework import dtypes, nest
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import name_scope
from tfgraph.framework.tensor_shape import dimension_value
from tfgraph.legacy_contrib.rnn_cell import EmbeddingWrapper, OutputProjectionWrapper, _Linear
from tfgraph.legacy_layers.rnn import static_rnn
from tfgraph.legacy_layers.rnn_cell_impl import RNNCell
from tfgraph.ops import array_ops, control_flow_ops, conv_ops, math_ops, nn_ops
from tfgraph.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = [
    "attention_decoder",
    "basic_rnn_seq2seq",
    "embedding_attention_decoder",
    "embedding_attention_seq2seq",
    "embedding_rnn_decoder",
    "embedding_rnn_seq2seq",
    "embedding_tied_rnn_seq2seq",
    "model_with_buckets",
    "one2many_rnn_seq2seq",
    "rnn_decoder",
    "sequence_loss",
    "sequence_loss_by_example",
    "tied_rnn_seq2seq",
]


def _linear(args, output_size):
    """`concat(args) @ kernel + bias` with `kernel`/`bias` in the current variable scope."""
    return _Linear(args, output_size, True)(args)


def _extract_argmax_and_embed(embedding, output_projection=None, update_embedding=True):
    """A loop function feeding back the embedding of the previous output's argmax symbol
    (after the projection `(W, B)`, when given); with `update_embedding=False` no
    gradient reaches the embedding through it."""

    def loop_function(prev, _):
        if output_projection is not None:
            prev = nn_ops.xw_plus_b(prev, output_projection[0], output_projection[1])
        symbol = math_ops.argmax(prev, 1)
        embedded = nn_ops.embedding_lookup(embedding, symbol)
        if not update_embedding:
            embedded = array_ops.stop_gradient(embedded)
        return embedded

    return loop_function


def _flat_state(state):
    return nest.flatten(state) if nest.is_nested(state) else [state]


def _cond_decoders(feed_previous, build, n_outputs, structure):
    """`cond(feed_previous, build(True), build(False))` where `build` returns
    `outputs + flat state`; splits the merged list back into `(outputs, state)` with
    the state packed like `structure`."""
    merged = control_flow_ops.cond(feed_previous, lambda: build(True), lambda: build(False))
    state_list = merged[n_outputs:]
    state = state_list[0]
    if nest.is_nested(structure):
        state = nest.pack_sequence_as(structure=structure, flat_sequence=state_list)
    return merged[:n_outputs], state


def _check_projection(output_projection, num_symbols, dtype, weights=True):
    if weights:
        w = convert_to_tensor(output_projection[0], dtype=dtype)
        w.get_shape().assert_is_compatible_with([None, num_symbols])
    b = convert_to_tensor(output_projection[1], dtype=dtype)
    b.get_shape().assert_is_compatible_with([num_symbols])


def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """Runs `cell` over `decoder_inputs` (a list of [batch, input_size] tensors) from
    `initial_state`, in the variable scope `scope` or "rnn_decoder".

    With `loop_function(prev, i)`, every input after the first is replaced by the
    function of the previous output (greedy decoding, scheduled sampling).

    Returns:
        `(outputs, state)`: one output per input, and the final state.
    """
    with variable_scope(scope or "rnn_decoder"):
        state = initial_state
        outputs = []
        prev = None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype=dtypes.float32, scope=None):
    """Encodes `encoder_inputs` with a deep copy of `cell` (`static_rnn`) and decodes
    `decoder_inputs` from the final encoder state with `cell` (`rnn_decoder`); the two
    share no variables. Scope: `scope` or "basic_rnn_seq2seq".

    Returns:
        `(outputs, state)` of the decoder.
    """
    with variable_scope(scope or "basic_rnn_seq2seq"):
        enc_cell = copy.deepcopy(cell)
        _, enc_state = static_rnn(enc_cell, encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, enc_state, cell)


def tied_rnn_seq2seq(
    encoder_inputs, decoder_inputs, cell, loop_function=None, dtype=dtypes.float32, scope=None
):
    """Like `basic_rnn_seq2seq`, but the encoder and decoder are the same `cell` with the
    same variables, under "combined_tied_rnn_seq2seq/<scope or 'tied_rnn_seq2seq'>".

    Returns:
        `(outputs, state)` of the decoder.
    """
    with variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, enc_state = static_rnn(cell, encoder_inputs, dtype=dtype, scope=scope)
        get_variable_scope().reuse_variables()
        return rnn_decoder(
            decoder_inputs, enc_state, cell, loop_function=loop_function, scope=scope
        )


def embedding_rnn_decoder(
    decoder_inputs,
    initial_state,
    cell,
    num_symbols,
    embedding_size,
    output_projection=None,
    feed_previous=False,
    update_embedding_for_previous=True,
    scope=None,
):
    """`rnn_decoder` over the embeddings (variable `embedding` [num_symbols,
    embedding_size]) of the integer `decoder_inputs`.

    Args:
        output_projection: None or `(W, B)` ([output_size, num_symbols] and
            [num_symbols]), applied to outputs before they are fed back.
        feed_previous: if True, only the first input is used; each later input is the
            embedding of the previous output's argmax.
        update_embedding_for_previous: if False, no gradient reaches the embedding
            through fed-back symbols.
        scope: defaults to "embedding_rnn_decoder".

    Raises:
        ValueError: when `output_projection` has the wrong shape.
    """
    with variable_scope(scope or "embedding_rnn_decoder") as vscope:
        if output_projection is not None:
            _check_projection(output_projection, num_symbols, vscope.dtype)
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop_function = (
            _extract_argmax_and_embed(embedding, output_projection, update_embedding_for_previous)
            if feed_previous
            else None
        )
        # (a generator, as in TF: each lookup is built as the decoder reaches its step)
        emb_inp = (nn_ops.embedding_lookup(embedding, i) for i in decoder_inputs)
        return rnn_decoder(emb_inp, initial_state, cell, loop_function=loop_function)


def embedding_rnn_seq2seq(
    encoder_inputs,
    decoder_inputs,
    cell,
    num_encoder_symbols,
    num_decoder_symbols,
    embedding_size,
    output_projection=None,
    feed_previous=False,
    dtype=None,
    scope=None,
):
    """Embeds and encodes `encoder_inputs` (an `EmbeddingWrapper` around a deep copy of
    `cell`), then decodes with `embedding_rnn_decoder` (`cell` wrapped in an
    `OutputProjectionWrapper` to `num_decoder_symbols` unless `output_projection` is
    given). `feed_previous` may be a Python bool or a scalar bool tensor (then both
    decoders are built and `cond` picks one). Scope: "embedding_rnn_seq2seq".

    Returns:
        `(outputs, state)` of the decoder.
    """
    with variable_scope(scope or "embedding_rnn_seq2seq") as vscope:
        if dtype is not None:
            vscope.set_dtype(dtype)
        else:
            dtype = vscope.dtype

        encoder_cell = EmbeddingWrapper(
            copy.deepcopy(cell),
            embedding_classes=num_encoder_symbols,
            embedding_size=embedding_size,
        )
        _, encoder_state = static_rnn(encoder_cell, encoder_inputs, dtype=dtype)

        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)

        if isinstance(feed_previous, bool):
            return embedding_rnn_decoder(
                decoder_inputs,
                encoder_state,
                cell,
                num_decoder_symbols,
                embedding_size,
                output_projection=output_projection,
                feed_previous=feed_previous,
            )

        def decoder(feed_previous_bool):
            reuse = None if feed_previous_bool else True
            with variable_scope(get_variable_scope(), reuse=reuse):
                outputs, state = embedding_rnn_decoder(
                    decoder_inputs,
                    encoder_state,
                    cell,
                    num_decoder_symbols,
                    embedding_size,
                    output_projection=output_projection,
                    feed_previous=feed_previous_bool,
                    update_embedding_for_previous=False,
                )
                return outputs + _flat_state(state)

        return _cond_decoders(feed_previous, decoder, len(decoder_inputs), encoder_state)


def embedding_tied_rnn_seq2seq(
    encoder_inputs,
    decoder_inputs,
    cell,
    num_symbols,
    embedding_size,
    num_decoder_symbols=None,
    output_projection=None,
    feed_previous=False,
    dtype=None,
    scope=None,
):
    """`tied_rnn_seq2seq` over inputs embedded with one shared `embedding`
    [num_symbols, embedding_size]; outputs are over `num_decoder_symbols` (default
    `num_symbols`) unless `output_projection` is given. `feed_previous`: a Python bool
    or a scalar bool tensor. Scope: "embedding_tied_rnn_seq2seq".

    Raises:
        ValueError: when `output_projection` has the wrong shape.
    """
    with variable_scope(scope or "embedding_tied_rnn_seq2seq", dtype=dtype) as vscope:
        dtype = vscope.dtype
        if output_projection is not None:
            _check_projection(output_projection, num_symbols, dtype)

        embedding = get_variable("embedding", [num_symbols, embedding_size], dtype=dtype)
        emb_encoder_inputs = [nn_ops.embedding_lookup(embedding, x) for x in encoder_inputs]
        emb_decoder_inputs = [nn_ops.embedding_lookup(embedding, x) for x in decoder_inputs]

        output_symbols = num_symbols if num_decoder_symbols is None else num_decoder_symbols
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, output_symbols)

        if isinstance(feed_previous, bool):
            loop_function = (
                _extract_argmax_and_embed(embedding, output_projection, True)
                if feed_previous
                else None
            )
            return tied_rnn_seq2seq(
                emb_encoder_inputs,
                emb_decoder_inputs,
                cell,
                loop_function=loop_function,
                dtype=dtype,
            )

        def decoder(feed_previous_bool):
            loop_function = (
                _extract_argmax_and_embed(embedding, output_projection, False)
                if feed_previous_bool
                else None
            )
            reuse = None if feed_previous_bool else True
            with variable_scope(get_variable_scope(), reuse=reuse):
                outputs, state = tied_rnn_seq2seq(
                    emb_encoder_inputs,
                    emb_decoder_inputs,
                    cell,
                    loop_function=loop_function,
                    dtype=dtype,
                )
                return outputs + _flat_state(state)

        merged = control_flow_ops.cond(feed_previous, lambda: decoder(True), lambda: decoder(False))
        n_outputs = len(decoder_inputs)
        state_list = merged[n_outputs:]
        state = state_list[0]
        # the state's structure comes from a zero state of the decoder cell (as in TF)
        static_batch_size = encoder_inputs[0].get_shape()[0]
        for inp in encoder_inputs[1:]:
            static_batch_size.merge_with(inp.get_shape()[0])
        batch_size = dimension_value(static_batch_size)
        if batch_size is None:
            batch_size = array_ops.shape(encoder_inputs[0])[0]
        zero_state = cell.zero_state(batch_size, dtype)
        if nest.is_nested(zero_state):
            state = nest.pack_sequence_as(structure=zero_state, flat_sequence=state_list)
        return merged[:n_outputs], state


def attention_decoder(
    decoder_inputs,
    initial_state,
    attention_states,
    cell,
    output_size=None,
    num_heads=1,
    loop_function=None,
    dtype=None,
    scope=None,
    initial_state_attention=False,
):
    """An RNN decoder attending over `attention_states` [batch, attn_length, attn_size].

    At each step the input and the previous attention reads are mixed by a linear map
    (`kernel`, `bias`) into the cell's input; the new state queries each head
    (`Attention_<h>/kernel|bias`, `AttnW_<h>`, `AttnV_<h>`):
    `a = softmax(V . tanh(W * attention_states + U * state))`, `read = sum(a * states)`;
    the output is a linear map (`AttnOutputProjection/kernel|bias`) of the cell output
    and the reads. With `initial_state_attention`, the first reads come from
    `initial_state` instead of zeros. Scope: `scope` or "attention_decoder".

    Returns:
        `(outputs, state)`: one [batch, output_size] output per input (`output_size`
        defaults to `cell.output_size`) and the final state.

    Raises:
        ValueError: when there are no inputs, `num_heads` < 1, the size of
            `attention_states`' last dimension or of an input is unknown.
    """
    if not decoder_inputs:
        raise ValueError("Must provide at least 1 input to attention decoder.")
    if num_heads < 1:
        raise ValueError("With less than 1 heads, use a non-attention decoder.")
    if dimension_value(attention_states.get_shape()[2]) is None:
        raise ValueError(
            f"Shape[2] of attention_states must be known: {attention_states.get_shape()}"
        )
    if output_size is None:
        output_size = cell.output_size

    with variable_scope(scope or "attention_decoder", dtype=dtype) as vscope:
        dtype = vscope.dtype
        batch_size = array_ops.shape(decoder_inputs[0])[0]
        attn_length = dimension_value(attention_states.get_shape()[1])
        if attn_length is None:
            attn_length = array_ops.shape(attention_states)[1]
        attn_size = dimension_value(attention_states.get_shape()[2])

        # W * attention_states for every position as a 1x1 convolution
        hidden = array_ops.reshape(attention_states, [-1, attn_length, 1, attn_size])
        hidden_features = []
        v = []
        attention_vec_size = attn_size
        for h in range(num_heads):
            k = get_variable(f"AttnW_{h}", [1, 1, attn_size, attention_vec_size], dtype=dtype)
            hidden_features.append(conv_ops.conv2d(hidden, k, [1, 1, 1, 1], "SAME"))
            v.append(get_variable(f"AttnV_{h}", [attention_vec_size], dtype=dtype))

        def attention(query):
            reads = []
            if nest.is_nested(query):
                query_list = nest.flatten(query)
                for q in query_list:
                    ndims = q.get_shape().ndims
                    if ndims:
                        assert ndims == 2
                query = array_ops.concat(query_list, 1)
            for h in range(num_heads):
                with variable_scope(f"Attention_{h}"):
                    y = _linear(query, attention_vec_size)
                    y = array_ops.reshape(y, [-1, 1, 1, attention_vec_size])
                    y = array_ops.cast(y, dtype)
                    s = math_ops.reduce_sum(v[h] * math_ops.tanh(hidden_features[h] + y), [2, 3])
                    a = nn_ops.softmax(array_ops.cast(s, dtype=dtypes.float32))
                    a = array_ops.cast(a, dtype)
                    d = math_ops.reduce_sum(
                        array_ops.reshape(a, [-1, attn_length, 1, 1]) * hidden, [1, 2]
                    )
                    reads.append(array_ops.reshape(d, [-1, attn_size]))
            return reads

        state = initial_state
        outputs = []
        prev = None
        batch_attn_size = array_ops.stack([batch_size, attn_size])
        attns = [array_ops.zeros(batch_attn_size, dtype=dtype) for _ in range(num_heads)]
        for a in attns:
            a.set_shape([None, attn_size])
        if initial_state_attention:
            attns = attention(initial_state)
        for i, inp in enumerate(decoder_inputs):
            if i > 0:
                get_variable_scope().reuse_variables()
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            input_size = dimension_value(inp.get_shape().with_rank(2)[1])
            if input_size is None:
                raise ValueError(f"Could not infer input size from input: {inp.name}")
            inputs = [array_ops.cast(e, dtype) for e in [inp] + attns]
            x = _linear(inputs, input_size)
            cell_output, state = cell(x, state)
            if i == 0 and initial_state_attention:
                with variable_scope(get_variable_scope(), reuse=True):
                    attns = attention(state)
            else:
                attns = attention(state)

            with variable_scope("AttnOutputProjection"):
                cell_output = array_ops.cast(cell_output, dtype)
                output = _linear([cell_output] + attns, output_size)
            if loop_function is not None:
                prev = output
            outputs.append(output)

    return outputs, state


def embedding_attention_decoder(
    decoder_inputs,
    initial_state,
    attention_states,
    cell,
    num_symbols,
    embedding_size,
    num_heads=1,
    output_size=None,
    output_projection=None,
    feed_previous=False,
    update_embedding_for_previous=True,
    dtype=None,
    scope=None,
    initial_state_attention=False,
):
    """`attention_decoder` over the embeddings (variable `embedding` [num_symbols,
    embedding_size]) of the integer `decoder_inputs`, with `feed_previous` and
    `output_projection` as in `embedding_rnn_decoder`. Scope:
    "embedding_attention_decoder".

    Raises:
        ValueError: when `output_projection`'s bias has the wrong shape.
    """
    if output_size is None:
        output_size = cell.output_size
    if output_projection is not None:
        _check_projection(output_projection, num_symbols, dtype, weights=False)

    with variable_scope(scope or "embedding_attention_decoder", dtype=dtype):
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop_function = (
            _extract_argmax_and_embed(embedding, output_projection, update_embedding_for_previous)
            if feed_previous
            else None
        )
        emb_inp = [nn_ops.embedding_lookup(embedding, i) for i in decoder_inputs]
        return attention_decoder(
            emb_inp,
            initial_state,
            attention_states,
            cell,
            output_size=output_size,
            num_heads=num_heads,
            loop_function=loop_function,
            initial_state_attention=initial_state_attention,
        )


def embedding_attention_seq2seq(
    encoder_inputs,
    decoder_inputs,
    cell,
    num_encoder_symbols,
    num_decoder_symbols,
    embedding_size,
    num_heads=1,
    output_projection=None,
    feed_previous=False,
    dtype=None,
    scope=None,
    initial_state_attention=False,
):
    """Embeds and encodes `encoder_inputs` (an `EmbeddingWrapper` around a deep copy of
    `cell`), keeps every encoder output as attention states, and decodes with
    `embedding_attention_decoder` (`cell` projected to `num_decoder_symbols` unless
    `output_projection` is given). `feed_previous`: a Python bool or a scalar bool
    tensor (then `cond` over both decoders). Scope: "embedding_attention_seq2seq".

    Returns:
        `(outputs, state)` of the decoder.
    """
    with variable_scope(scope or "embedding_attention_seq2seq", dtype=dtype) as vscope:
        dtype = vscope.dtype
        encoder_cell = EmbeddingWrapper(
            copy.deepcopy(cell),
            embedding_classes=num_encoder_symbols,
            embedding_size=embedding_size,
        )
        encoder_outputs, encoder_state = static_rnn(encoder_cell, encoder_inputs, dtype=dtype)

        top_states = [array_ops.reshape(e, [-1, 1, cell.output_size]) for e in encoder_outputs]
        attention_states = array_ops.concat(top_states, 1)

        output_size = None
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols

        def decode(feed, update_embedding_for_previous=True):
            return embedding_attention_decoder(
                decoder_inputs,
                encoder_state,
                attention_states,
                cell,
                num_decoder_symbols,
                embedding_size,
                num_heads=num_heads,
                output_size=output_size,
                output_projection=output_projection,
                feed_previous=feed,
                update_embedding_for_previous=update_embedding_for_previous,
                initial_state_attention=initial_state_attention,
            )

        if isinstance(feed_previous, bool):
            return decode(feed_previous)

        def decoder(feed_previous_bool):
            reuse = None if feed_previous_bool else True
            with variable_scope(get_variable_scope(), reuse=reuse):
                outputs, state = decode(feed_previous_bool, False)
                return outputs + _flat_state(state)

        return _cond_decoders(feed_previous, decoder, len(decoder_inputs), encoder_state)


def one2many_rnn_seq2seq(
    encoder_inputs,
    decoder_inputs_dict,
    enc_cell,
    dec_cells_dict,
    num_encoder_symbols,
    num_decoder_symbols_dict,
    embedding_size,
    feed_previous=False,
    dtype=None,
    scope=None,
):
    """One embedding encoder, several embedding decoders (multi-task): decoder `name`
    runs `embedding_rnn_decoder` with `dec_cells_dict[name]` projected to
    `num_decoder_symbols_dict[name]`, in the scope "one2many_decoder_<name>".
    Scope: "one2many_rnn_seq2seq".

    Returns:
        `(outputs_dict, state_dict)`, keyed by decoder name.

    Raises:
        TypeError: if `enc_cell` or a decoder cell is not an RNNCell.
        ValueError: if the decoder cells' and decoder inputs' keys differ.
    """
    outputs_dict = {}
    state_dict = {}

    if not isinstance(enc_cell, RNNCell):
        raise TypeError(f"enc_cell is not an RNNCell: {type(enc_cell)}")
    if set(dec_cells_dict) != set(decoder_inputs_dict):
        raise ValueError("keys of dec_cells_dict != keys of decodre_inputs_dict")
    for dec_cell in dec_cells_dict.values():
        if not isinstance(dec_cell, RNNCell):
            raise TypeError(f"dec_cell is not an RNNCell: {type(dec_cell)}")

    with variable_scope(scope or "one2many_rnn_seq2seq", dtype=dtype) as vscope:
        dtype = vscope.dtype
        enc_cell = EmbeddingWrapper(
            enc_cell, embedding_classes=num_encoder_symbols, embedding_size=embedding_size
        )
        _, encoder_state = static_rnn(enc_cell, encoder_inputs, dtype=dtype)

        for name, decoder_inputs in decoder_inputs_dict.items():
            num_decoder_symbols = num_decoder_symbols_dict[name]
            with variable_scope("one2many_decoder_" + str(name)):
                dec_cell = OutputProjectionWrapper(dec_cells_dict[name], num_decoder_symbols)
                if isinstance(feed_previous, bool):
                    outputs, state = embedding_rnn_decoder(
                        decoder_inputs,
                        encoder_state,
                        dec_cell,
                        num_decoder_symbols,
                        embedding_size,
                        feed_previous=feed_previous,
                    )
                else:

                    def decoder(
                        feed,
                        decoder_inputs=decoder_inputs,
                        dec_cell=dec_cell,
                        num_decoder_symbols=num_decoder_symbols,
                    ):
                        reuse = None if feed else True
                        with variable_scope(get_variable_scope(), reuse=reuse):
                            outputs, state = embedding_rnn_decoder(
                                decoder_inputs,
                                encoder_state,
                                dec_cell,
                                num_decoder_symbols,
                                embedding_size,
                                feed_previous=feed,
                            )
                            return outputs + _flat_state(state)

                    outputs, state = _cond_decoders(
                        feed_previous, decoder, len(decoder_inputs), encoder_state
                    )
            outputs_dict[name] = outputs
            state_dict[name] = state

    return outputs_dict, state_dict


def sequence_loss_by_example(
    logits,
    targets,
    weights,
    average_across_timesteps=True,
    softmax_loss_function=None,
    name=None,
):
    """The weighted cross-entropy of each sequence: `sum_t weights[t] * xent(logits[t],
    targets[t])`, divided by `sum_t weights[t]` (+1e-12) if `average_across_timesteps`.

    Args:
        logits: list of [batch, num_symbols] tensors.
        targets: list of [batch] int tensors, as many as `logits`.
        weights: list of [batch] float tensors, as many as `logits`.
        softmax_loss_function: `f(labels=..., logits=...)` -> [batch] instead of the
            sparse softmax cross-entropy (called with keyword arguments).
        name: defaults to "sequence_loss_by_example".

    Returns:
        A [batch] tensor: each sequence's log-perplexity.

    Raises:
        ValueError: if the three lists' lengths differ.
    """
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError(
            "Lengths of logits, weights, and targets must be the same "
            f"{len(logits)}, {len(weights)}, {len(targets)}."
        )
    with name_scope(name, "sequence_loss_by_example", logits + targets + weights):
        log_perp_list = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                # (reshaped: callers pass scalar targets too)
                target = array_ops.reshape(target, [-1])
                crossent = nn_ops.sparse_softmax_cross_entropy_with_logits(
                    labels=target, logits=logit
                )
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            log_perp_list.append(crossent * weight)
        log_perps = math_ops.add_n(log_perp_list)
        if average_across_timesteps:
            total_size = math_ops.add_n(weights)
            total_size += 1e-12  # (all-zero weights)
            log_perps /= total_size
    return log_perps


def sequence_loss(
    logits,
    targets,
    weights,
    average_across_timesteps=True,
    average_across_batch=True,
    softmax_loss_function=None,
    name=None,
):
    """The sum over the batch of `sequence_loss_by_example`, divided by the batch size
    if `average_across_batch` (a scalar). `name` defaults to "sequence_loss"."""
    with name_scope(name, "sequence_loss", logits + targets + weights):
        cost = math_ops.reduce_sum(
            sequence_loss_by_example(
                logits,
                targets,
                weights,
                average_across_timesteps=average_across_timesteps,
                softmax_loss_function=softmax_loss_function,
            )
        )
        if average_across_batch:
            batch_size = array_ops.shape(targets[0])[0]
            return cost / array_ops.cast(batch_size, cost.dtype)
        return cost


def model_with_buckets(
    encoder_inputs,
    decoder_inputs,
    targets,
    weights,
    buckets,
    seq2seq,
    softmax_loss_function=None,
    per_example_loss=False,
    name=None,
):
    """Builds `seq2seq(encoder_inputs[:n], decoder_inputs[:m])` for each bucket `(n, m)`,
    all sharing variables (the first bucket creates them, the others reuse them), and
    each bucket's `sequence_loss` (or, with `per_example_loss`,
    `sequence_loss_by_example`) against `targets[:m]`, `weights[:m]`.

    Returns:
        `(outputs, losses)`: per bucket, the list of outputs and the loss.

    Raises:
        ValueError: if `encoder_inputs`, `targets` or `weights` is shorter than the last
            bucket.
    """
    if len(encoder_inputs) < buckets[-1][0]:
        raise ValueError(
            f"Length of encoder_inputs ({len(encoder_inputs)}) must be at least that of "
            f"last bucket ({buckets[-1][0]})."
        )
    if len(targets) < buckets[-1][1]:
        raise ValueError(
            f"Length of targets ({len(targets)}) must be at least that of last"
            f"bucket ({buckets[-1][1]})."
        )
    if len(weights) < buckets[-1][1]:
        raise ValueError(
            f"Length of weights ({len(weights)}) must be at least that of last"
            f"bucket ({buckets[-1][1]})."
        )

    all_inputs = encoder_inputs + decoder_inputs + targets + weights
    losses = []
    outputs = []
    with name_scope(name, "model_with_buckets", all_inputs):
        for j, bucket in enumerate(buckets):
            with variable_scope(get_variable_scope(), reuse=True if j > 0 else None):
                bucket_outputs, _ = seq2seq(
                    encoder_inputs[: bucket[0]], decoder_inputs[: bucket[1]]
                )
                outputs.append(bucket_outputs)
                loss = sequence_loss_by_example if per_example_loss else sequence_loss
                losses.append(
                    loss(
                        outputs[-1],
                        targets[: bucket[1]],
                        weights[: bucket[1]],
                        softmax_loss_function=softmax_loss_function,
                    )
                )

    return outputs, losses
