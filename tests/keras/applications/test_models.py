"""`tf.keras.applications` model builders with `weights=None` against tf_keras: the
same layers (names and classes, in order), weights (names and shapes), trainable
count, parameter count and input/output shapes."""

from __future__ import annotations

import pytest

from tests.keras.dual import ours, theirs
from tests.tfrun import requires_tf

CALLS = [
    "A.ResNet50(weights=None)",
    "A.resnet.ResNet101(weights=None, include_top=False, pooling='max', input_shape=(64, 64, 3))",
    "A.ResNet152(weights=None, include_top=False, input_shape=(32, 32, 3))",
    "A.resnet50.ResNet50(weights=None, classes=10, classifier_activation=None)",
    "A.ResNet50V2(weights=None)",
    "A.resnet_v2.ResNet101V2(weights=None, include_top=False, input_shape=(48, 48, 3))",
    "A.ResNet152V2(weights=None, include_top=False, pooling='avg')",
    "A.VGG16(weights=None)",
    "A.vgg19.VGG19(weights=None, include_top=False, pooling='avg')",
    "A.MobileNet(weights=None)",
    "A.mobilenet.MobileNet(weights=None, alpha=0.5, depth_multiplier=2, input_shape=(128, 128, 3))",
    "A.MobileNetV2(weights=None)",
    "A.mobilenet_v2.MobileNetV2(weights=None, alpha=1.4, include_top=False, pooling='max')",
    "A.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3))",
    "A.DenseNet121(weights=None)",
    "A.densenet.DenseNet169(weights=None, include_top=False, pooling='max')",
    "A.DenseNet201(weights=None, include_top=False, input_shape=(64, 64, 3))",
    "A.InceptionV3(weights=None)",
    "A.inception_v3.InceptionV3(weights=None, include_top=False, pooling='avg')",
    "A.Xception(weights=None)",
    "A.InceptionResNetV2(weights=None)",
    "A.EfficientNetB0(weights=None)",
    "A.MobileNetV3Small(weights=None)",
    "A.EfficientNetV2B0(weights=None)",
    "A.ResNetRS50(weights=None)",
    "A.ConvNeXtTiny(weights=None)",
    "A.RegNetX002(weights=None)",
    "A.regnet.RegNetY004(weights=None, include_top=False, pooling='avg', input_shape=(64, 64, 3))",
    "A.convnext.ConvNeXtSmall(weights=None, include_top=False, pooling='avg', "
    "input_shape=(64, 64, 3))",
    "A.resnet_rs.ResNetRS101(weights=None, include_top=False, pooling='avg', "
    "input_shape=(64, 64, 3))",
    "A.efficientnet_v2.EfficientNetV2S(weights=None, include_top=False, pooling='max', "
    "input_shape=(64, 64, 3))",
    "A.EfficientNetV2L(weights=None, include_top=False, input_shape=(32, 32, 3))",
    "A.MobileNetV3Large(weights=None, include_top=False, pooling='avg', input_shape=(96, 96, 3))",
    "A.MobileNetV3Large(weights=None, minimalistic=True, alpha=0.75)",
    "A.efficientnet.EfficientNetB3(weights=None, include_top=False, pooling='avg')",
    "A.EfficientNetB7(weights=None, include_top=False, input_shape=(64, 64, 3))",
    "A.NASNetMobile(weights=None)",
    "A.nasnet.NASNetLarge(weights=None, include_top=False, input_shape=(96, 96, 3), pooling='avg')",
    "A.inception_resnet_v2.InceptionResNetV2(weights=None, include_top=False, pooling='max')",
    "A.xception.Xception(weights=None, include_top=False, pooling='max')",
    "A.ResNet50(weights=None, include_top=False, "
    "input_tensor=tf.keras.Input((40, 40, 3), name='img'))",
]

PROGRAM = """
A = tf.keras.applications
result = {}
for call in CALLS:
    tf.keras.backend.clear_session()
    model = eval(call)
    result[call] = {
        "name": model.name,
        "layers": [[l.name, type(l).__name__] for l in model.layers],
        "weights": [[w.name, w.shape.as_list()] for w in model.weights],
        "trainable": len(model.trainable_weights),
        "params": int(model.count_params()),
        "output": list(model.output_shape),
        "input": list(model.input_shape),
    }
"""


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("chunk", range(6))
def test_models_match_tf_keras(chunk):
    calls = CALLS[chunk::6]
    program = f"CALLS = {calls!r}\n" + PROGRAM
    got, expected = ours(program), theirs(program)
    for call in calls:
        a, b = got[call], expected[call]
        for key in b:
            assert a[key] == b[key], f"{call}: {key} differs"
