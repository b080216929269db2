import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import keras

from mlc_utils import training
from mlc_utils.models import build_improved_cnn, build_mlp
from mlc_utils.training import EpochClock, time_to_reach

@pytest.fixture
def tiny_reference(monkeypatch):
    """Shrink the reference recipe so a real fit takes a second or two."""
    monkeypatch.setitem(training.REFERENCE_DATA, "n_train", 64)
    monkeypatch.setitem(training.REFERENCE_DATA, "n_val", 32)
    monkeypatch.setitem(training.REFERENCE_DATA, "n_test", 16)
    monkeypatch.setitem(training.REFERENCE_FIT, "epochs", 2)


def test_set_seed_makes_numpy_and_tensorflow_repeatable():
    training.set_seed(3)
    first = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    training.set_seed(3)
    second = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_set_seed_rejects_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        training.set_seed("0")


def test_reference_recipe_settings():
    assert set(training.REFERENCE_DATA) == {"n_train", "n_val", "n_test", "seed"}
    assert training.REFERENCE_FIT["batch_size"] == 64
    assert training.REFERENCE_FIT["epochs"] == 10
    assert training.REFERENCE_FIT["loss"] == "binary_crossentropy"


@pytest.mark.slow
def test_reference_data_uses_the_sizes(tiny_reference):
    data = training.reference_data()
    assert {k: v[0].shape[0] for k, v in data.items()} == {"train": 64, "val": 32, "test": 16}
    assert data["train"][1].shape == (64, 10)


@pytest.mark.slow
def test_train_reference_model_fits_and_returns_a_history(tiny_reference):
    model, history = training.train_reference_model()
    assert model.count_params() == 71_242
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history["loss"]) == 2 and all(isinstance(v, float) for v in history["loss"])


@pytest.mark.slow
def test_train_reference_model_stops_early_and_restores_the_best_weights(monkeypatch):
    """64 training images overfit within a few epochs: validation loss turns up, training stops
    ``early_stopping_patience`` epochs after the best one, and the model returned is the best one."""
    monkeypatch.setitem(training.REFERENCE_DATA, "n_train", 64)
    monkeypatch.setitem(training.REFERENCE_DATA, "n_val", 64)
    monkeypatch.setitem(training.REFERENCE_DATA, "n_test", 8)
    monkeypatch.setitem(training.REFERENCE_FIT, "epochs", 40)
    model, history = training.train_reference_model()
    val_loss = history["val_loss"]
    best = int(np.argmin(val_loss))
    assert len(val_loss) < 40
    assert len(val_loss) == best + 1 + training.REFERENCE_FIT["early_stopping_patience"]
    X_val, Y_val = training.reference_data()["val"]
    evaluated = model.evaluate(X_val, Y_val, batch_size=64, verbose=0, return_dict=True)["loss"]
    assert evaluated == pytest.approx(val_loss[best], rel=1e-4)
    assert evaluated < val_loss[-1]


def test_compile_improved_cnn_decays_adamw_along_a_cosine():
    model = training.compile_improved_cnn(build_improved_cnn(), n_train=640)
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.AdamW)
    assert optimizer.weight_decay == pytest.approx(0.05)
    schedule = optimizer._learning_rate
    steps = 10 * 8  # 640 images in batches of 64, 8 epochs
    assert float(schedule(0)) == pytest.approx(5e-3)
    assert float(schedule(steps // 2)) == pytest.approx(2.5e-3, rel=1e-3)  # half-way down the cosine
    assert float(schedule(steps)) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match="n_train"):
        training.compile_improved_cnn(build_improved_cnn(), n_train=0)


def test_train_improved_cnn_refuses_changes_it_owns():
    for owned in ({"input_shape": (64, 64, 3)}, {"n_labels": 3}):
        with pytest.raises(TypeError, match="the data fix input_shape and n_labels"):
            training.train_improved_cnn(policy="float32", **owned)


def test_time_to_reach_hand_values():
    times, values = [1.0, 2.5, 4.0], [0.5, 0.86, 0.9]
    assert time_to_reach(times, values, 0.86) == 2.5  # reaching counts (>=)
    assert time_to_reach(times, values, 0.6) == 2.5
    assert time_to_reach(times, values, 0.1) == 1.0
    assert time_to_reach(times, values, 0.95) is None
    with pytest.raises(ValueError, match="values"):
        time_to_reach([1.0, 2.0], [0.5], 0.4)
    with pytest.raises(TypeError, match="target"):
        time_to_reach(times, values, "0.9")


@pytest.mark.slow
def test_epoch_clock_records_validation_micro_f1_and_growing_times():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    X = rng.random((64, 5)).astype("float32")
    Y = (X[:, :3] > 0.5).astype(int)
    model = build_mlp(5, 3, hidden_units=(8,), dropout=0.0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    clock = EpochClock(X, Y)
    model.fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[clock])
    assert len(clock.times) == 3 and all(b > a > 0 for a, b in zip(clock.times, clock.times[1:]))
    expected = f1_score(Y, model.predict(X, verbose=0) >= 0.5, average="micro", zero_division=0)
    assert clock.val_f1_micro[-1] == pytest.approx(expected, abs=1e-9)
    with pytest.raises(ValueError, match="X_val"):
        EpochClock(X[:10], Y)
