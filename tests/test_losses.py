"""mlc_utils.losses: per-label positive weights and the weighted binary cross-entropy."""

import numpy as np
import pytest

from mlc_utils._tensorflow import keras, tf  # what mlc_utils.losses itself uses
from mlc_utils.losses import WeightedBinaryCrossentropy, positive_weights

Y_SMALL = np.array([[1, 0], [1, 1], [0, 0], [0, 0]])


def test_positive_weights_by_hand():
    # label 0: 2 positives, 2 negatives -> 1; label 1: 1 positive, 3 negatives -> 3.
    np.testing.assert_allclose(positive_weights(Y_SMALL), [1.0, 3.0])
    np.testing.assert_allclose(positive_weights(Y_SMALL, power=0.5), [1.0, np.sqrt(3.0)], rtol=1e-6)
    np.testing.assert_allclose(positive_weights(Y_SMALL, power=0), [1.0, 1.0])
    np.testing.assert_allclose(positive_weights(Y_SMALL, max_weight=2), [1.0, 2.0])
    assert positive_weights(Y_SMALL).dtype == np.float32


@pytest.mark.parametrize(
    "Y, kwargs, error, argument",
    [
        (np.array([[1, 0], [1, 0]]), {}, ValueError, "Y"),          # label 1 never present
        (np.array([[1, 0], [1, 1]]), {}, ValueError, "Y"),          # label 0 always present
        (Y_SMALL, {"power": -1}, ValueError, "power"),
        (Y_SMALL, {"power": "1"}, ValueError, "power"),
        (Y_SMALL, {"max_weight": 0.5}, ValueError, "max_weight"),
        (np.array([[0.2, 1.0]]), {}, ValueError, "Y"),
    ],
)
def test_positive_weights_refuses_bad_input(Y, kwargs, error, argument):
    with pytest.raises(error, match=argument):
        positive_weights(Y, **kwargs)


def test_hand_value_from_probabilities():
    y_true = np.array([[1.0, 0.0]])
    y_pred = np.array([[0.8, 0.8]])
    loss = WeightedBinaryCrossentropy([3.0, 5.0])(y_true, y_pred)
    # label 0: positive, weight 3 -> -3 log 0.8; label 1: negative (weight unused) -> -log 0.2.
    expected = (-3 * np.log(0.8) - np.log(0.2)) / 2
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def _random_batch(seed=0, n=64, labels=5):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, labels)).astype(np.float32)
    y_true = (rng.random((n, labels)) < 0.3).astype(np.float32)
    weights = rng.uniform(0.5, 20, size=labels).astype(np.float32)
    return y_true, logits, weights


def _tensorflow_reference(y_true, logits, weights):
    per_cell = tf.nn.weighted_cross_entropy_with_logits(labels=y_true, logits=logits, pos_weight=weights)
    return float(tf.reduce_mean(tf.reduce_mean(per_cell, axis=-1)))


def test_from_logits_matches_tensorflow():
    y_true, logits, weights = _random_batch()
    ours = WeightedBinaryCrossentropy(weights, from_logits=True)(y_true, logits)
    assert float(ours) == pytest.approx(_tensorflow_reference(y_true, logits, weights), rel=1e-5)


def test_from_probabilities_matches_tensorflow():
    y_true, logits, weights = _random_batch(seed=1)
    logits = np.clip(logits, -8, 8)  # keep the probabilities away from the clipping at 1e-7
    ours = WeightedBinaryCrossentropy(weights)(y_true, tf.sigmoid(logits))
    assert float(ours) == pytest.approx(_tensorflow_reference(y_true, logits, weights), rel=1e-4)


def test_unit_weights_are_plain_binary_crossentropy():
    y_true, logits, _ = _random_batch(seed=2)
    probabilities = tf.sigmoid(np.clip(logits, -8, 8))
    ours = WeightedBinaryCrossentropy(np.ones(5))(y_true, probabilities)
    keras_bce = keras.losses.BinaryCrossentropy()(y_true, probabilities)
    assert float(ours) == pytest.approx(float(keras_bce), rel=1e-5)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")  # Keras' own, on load
def test_a_saved_model_loads_with_its_loss(tmp_path):
    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Dense(2, activation="sigmoid")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(loss=WeightedBinaryCrossentropy([2.0, 7.5]))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.loss, WeightedBinaryCrossentropy)
    assert loaded.loss.pos_weight == [2.0, 7.5] and loaded.loss.from_logits is False


@pytest.mark.parametrize(
    "pos_weight, kwargs, error, argument",
    [
        ([1.0, 0.0], {}, ValueError, "pos_weight"),
        ([1.0, np.inf], {}, ValueError, "pos_weight"),
        ([[1.0, 2.0]], {}, ValueError, "pos_weight"),
        ("heavy", {}, TypeError, "pos_weight"),
        ([1.0, 2.0], {"from_logits": "yes"}, TypeError, "from_logits"),
    ],
)
def test_refuses_bad_arguments(pos_weight, kwargs, error, argument):
    with pytest.raises(error, match=argument):
        WeightedBinaryCrossentropy(pos_weight, **kwargs)
