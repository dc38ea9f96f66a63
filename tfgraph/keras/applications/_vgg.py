"""The VGG body both VGG16 and VGG19 build: five blocks of 3x3 convolutions and a
2x2 max pool, then two 4096-unit layers and the classifier."""

from __future__ import annotations

from tfgraph.keras import backend, layers
from tfgraph.keras.applications import imagenet_utils as iu
from tfgraph.keras.engine.functional import Model

_FILTERS = (64, 128, 256, 512, 512)


def vgg(convs_per_block, name, hashes, include_top, weights, input_tensor, input_shape,
        pooling, classes, classifier_activation):  # fmt: skip
    """A VGG model named `name` with `convs_per_block` convolutions in each block."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(
        input_shape, 224, 32, backend.image_data_format(), include_top, weights
    )
    img_input = iu.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip(_FILTERS, convs_per_block), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)  # fmt: skip
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.top_or_pooling(x, False, pooling, classes, None, weights, pool_names=False)
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=name)
    suffix = "" if include_top else "_notop"
    fname = f"{name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    origin = f"{iu.WEIGHTS_BASE}{name}/{fname}"
    return iu.load_weights(model, weights, fname, origin, hashes[0 if include_top else 1])
