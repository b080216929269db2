import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlc_utils.models import build_improved_cnn, build_mlp, build_reference_cnn


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
