import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlc_utils import models as models_module
from mlc_utils.models import (
    bfloat16_supported,
    build_improved_cnn,
    build_mlp,
    build_reference_cnn,
    mixed_precision_policy,
)


def test_reference_cnn_layers_and_parameter_count():
    model = build_reference_cnn()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Conv2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    conv1, conv2, pool, _, dense = model.layers[1:]
    assert (conv1.filters, conv1.kernel_size, conv1.activation.__name__) == (32, (3, 3), "relu")
    assert (conv2.filters, conv2.kernel_size, conv2.activation.__name__) == (64, (3, 3), "relu")
    assert pool.pool_size == (3, 3)
    assert (dense.units, dense.activation.__name__) == (10, "sigmoid")
    assert model.count_params() == 71_242
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 10)


def test_reference_cnn_softmax_variant_and_outputs_are_probabilities():
    x = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
    softmax = build_reference_cnn(output_activation="softmax")
    assert softmax.count_params() == 71_242
    np.testing.assert_allclose(softmax.predict(x, verbose=0).sum(axis=1), 1.0, rtol=1e-5)
    sigmoid = build_reference_cnn()(x).numpy()
    assert sigmoid.shape == (2, 10) and np.all((sigmoid > 0) & (sigmoid < 1))


def test_configs_are_identical_across_builds():
    assert build_reference_cnn().get_config() == build_reference_cnn().get_config()


def test_improved_cnn_and_mlp_shapes():
    assert build_improved_cnn().output_shape == (None, 10)
    mlp = build_mlp(103, 14, hidden_units=(64, 32))
    assert mlp.input_shape == (None, 103) and mlp.output_shape == (None, 14)
    assert mlp.layers[-1].activation.__name__ == "sigmoid"


def test_rejects_unknown_output_activation():
    with pytest.raises(ValueError, match="output_activation"):
        build_reference_cnn(output_activation="relu")


def test_rejects_bad_input_shape():
    with pytest.raises(ValueError, match="input_shape"):
        build_reference_cnn(input_shape=(32, 32))


def test_rejects_non_integer_n_labels():
    with pytest.raises(TypeError, match="n_labels"):
        build_reference_cnn(n_labels=2.5)


def test_rejects_bad_dropout():
    with pytest.raises(ValueError, match="dropout"):
        build_mlp(4, 2, dropout=1.5)


# --- Chapter 10: the improved CNN and mixed precision ------------------------------------------------


def test_improved_cnn_blocks_and_float32_output_under_mixed_precision():
    model = build_improved_cnn(policy="mixed_bfloat16")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("BatchNormalization") == 4 and kinds[-3:] == ["GlobalMaxPooling2D", "Dropout", "Dense"]
    # stem 2*2*3*16, convolutions 9*(16*32 + 32*64 + 64*128), 4 numbers per BN channel, output 128*10 + 10
    assert model.count_params() == 192 + 9 * (16 * 32 + 32 * 64 + 64 * 128) + 4 * (16 + 32 + 64 + 128) + 1290
    assert model.get_layer("block1_conv").compute_dtype == "bfloat16"
    assert model.get_layer("block1_conv").variable_dtype == "float32"  # weights stay float32
    assert model.get_layer("labels").compute_dtype == "float32"
    x = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
    assert model(x).dtype == "float32"


def test_improved_cnn_stem_halves_the_image_learned_or_averaged():
    learned = build_improved_cnn()
    assert learned.get_layer("stem_conv").output.shape[1:] == (16, 16, 16)
    assert learned.get_layer("stem_conv").strides == (2, 2)
    averaged = build_improved_cnn(stem=None)
    assert averaged.get_layer("downsample").output.shape[1:] == (16, 16, 3)
    assert "stem_conv" not in [layer.name for layer in averaged.layers]
    assert averaged.count_params() == learned.count_params() - (192 + 64) - 9 * (16 - 3) * 32
    with pytest.raises(ValueError, match="stem"):
        build_improved_cnn(stem=0)


def test_improved_cnn_batch_norm_momentum_reaches_every_layer():
    for momentum in (0.9, 0.5):
        model = build_improved_cnn(bn_momentum=momentum)
        bn = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
        assert len(bn) == 4 and all(layer.momentum == momentum for layer in bn)
    for bad in (1.0, 0, True, "0.9"):
        with pytest.raises(ValueError, match="bn_momentum"):
            build_improved_cnn(bn_momentum=bad)


def test_improved_cnn_augmentation_is_off_at_prediction_time():
    model = build_improved_cnn(augment=True, dropout=0.0)
    x = np.random.default_rng(1).random((3, 32, 32, 3)).astype("float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not np.allclose(model(x, training=True), model(x, training=True))  # random in training


def test_improved_cnn_global_pooling_accepts_larger_images():
    # Global max pooling makes the head independent of the image size.
    model = build_improved_cnn(input_shape=(64, 64, 3), augment=False)
    assert model.output_shape == (None, 10)
    assert model.count_params() == build_improved_cnn(augment=False).count_params()


def test_float32_policy_leaves_the_reference_configuration_unchanged():
    assert build_reference_cnn(policy="float32").get_config() == build_reference_cnn().get_config()
    mixed = build_reference_cnn(policy="mixed_bfloat16")
    assert mixed.get_layer("conv1").compute_dtype == "bfloat16"
    assert mixed.get_layer("labels").compute_dtype == "float32"


def test_rejects_unknown_policy_and_bad_filters():
    with pytest.raises(ValueError, match="policy"):
        build_improved_cnn(policy="float16")
    with pytest.raises(ValueError, match="policy"):
        build_reference_cnn(policy="bfloat16")
    with pytest.raises(TypeError, match="filters"):
        build_improved_cnn(filters=64)
    with pytest.raises(ValueError, match="filters"):
        build_improved_cnn(filters=())
    with pytest.raises(TypeError, match="augment"):
        build_improved_cnn(augment="yes")


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ({"input_shape": (32, 32)}, ValueError, r"input_shape: expected \(height, width, channels\)"),
        ({"input_shape": (7, 7, 3)}, ValueError, r"input_shape: the improved CNN needs images of at least 8x8"),
        ({"n_labels": 0}, ValueError, "n_labels"),
        ({"stem": 1.5}, TypeError, "stem"),
        ({"filters": "abc"}, TypeError, "filters: expected a sequence"),
        ({"filters": (32, 0)}, ValueError, "filters"),
        ({"dropout": 1.0}, ValueError, r"dropout: expected a rate in \[0, 1\), got 1.0"),
        ({"dropout": True}, ValueError, "dropout"),
        ({"bn_momentum": 0}, ValueError, r"bn_momentum: expected a number in \(0, 1\), got 0"),
        ({"augment": 1}, TypeError, "augment: expected True or False, got int"),
        ({"policy": "float16"}, ValueError, "policy"),
    ],
)
def test_improved_cnn_checks_every_argument_and_names_it(bad, error, message):
    # The checks live in a private helper (chapter 10 shows the architecture, not the validation);
    # every one of them must still reach the public builder.
    with pytest.raises(error, match=message):
        build_improved_cnn(**bad)


@pytest.mark.parametrize(
    "flags, expected",
    [("fpu sse avx512f avx512_bf16 avx2", True), ("fpu amx_tile amx_bf16", True), ("fpu sse avx2 avx512f", False)],
)
def test_bfloat16_detection_reads_the_cpu_flags(tmp_path, monkeypatch, flags, expected):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: test\nflags\t\t: {flags}\n\nprocessor\t: 1\n")
    monkeypatch.setattr(models_module, "_CPUINFO", str(cpuinfo))
    assert bfloat16_supported() is expected
    assert mixed_precision_policy() == ("mixed_bfloat16" if expected else "float32")


def test_bfloat16_detection_falls_back_to_float32_without_cpuinfo(tmp_path, monkeypatch):
    monkeypatch.setattr(models_module, "_CPUINFO", str(tmp_path / "missing"))
    assert bfloat16_supported() is False
    assert mixed_precision_policy() == "float32"


def test_build_reference_cnn_refuses_images_too_small_to_convolve():
    with pytest.raises(ValueError, match=r"input_shape: .* at least 7x7 pixels, got \(5, 5, 3\)"):
        build_reference_cnn(input_shape=(5, 5, 3))
    with pytest.raises(ValueError, match="input_shape"):
        build_reference_cnn(input_shape=(32, 6, 3))
    assert build_reference_cnn(input_shape=(7, 7, 3), n_labels=2).output_shape == (None, 2)


def test_resolve_policy_checks_the_name_and_lets_none_pick_the_cpus_policy(monkeypatch):
    assert models_module.resolve_policy("mixed_float16") == "mixed_float16"
    monkeypatch.setattr(models_module, "bfloat16_supported", lambda: True)
    assert models_module.resolve_policy(None) == "mixed_bfloat16"
    monkeypatch.setattr(models_module, "bfloat16_supported", lambda: False)
    assert models_module.resolve_policy(None) == "float32"
    with pytest.raises(ValueError, match="policy"):
        models_module.resolve_policy("bfloat16")

