import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from mlc_utils import training
from mlc_utils.models import build_reference_cnn

ROOT = Path(__file__).resolve().parents[1]


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


def test_reference_data_uses_the_sizes(tiny_reference):
    data = training.reference_data()
    assert {k: v[0].shape[0] for k, v in data.items()} == {"train": 64, "val": 32, "test": 16}
    assert data["train"][1].shape == (64, 10)


def test_train_reference_model_fits_and_returns_a_history(tiny_reference):
    model, history = training.train_reference_model()
    assert model.count_params() == 71_242
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history["loss"]) == 2 and all(isinstance(v, float) for v in history["loss"])


def test_cache_dir_default_is_the_ignored_repo_folder(monkeypatch):
    monkeypatch.delenv("MLC_UTILS_CACHE", raising=False)
    assert training.cache_dir() == ROOT / ".cache" / "mlc_utils"


def test_cache_dir_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path))
    assert training.cache_dir() == tmp_path


def test_cache_key_is_stable_and_covers_the_recipe(monkeypatch):
    key = training.cache_key()
    assert key == training.cache_key()
    monkeypatch.setitem(training.REFERENCE_FIT, "epochs", 11)
    assert training.cache_key() != key
    monkeypatch.setitem(training.REFERENCE_FIT, "epochs", 10)
    monkeypatch.setitem(training.REFERENCE_DATA, "seed", 1)
    assert training.cache_key() != key


def test_cache_reference_model_rejects_non_models(tmp_path, monkeypatch):
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path))
    with pytest.raises(TypeError, match="model"):
        training.cache_reference_model("model.keras", {})


# The hit/miss messages, the cache key and the cache's safety are tested in tests/test_cache.py.


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


def test_build_reference_cnn_refuses_images_too_small_to_convolve():
    with pytest.raises(ValueError, match=r"input_shape: .* at least 7x7 pixels, got \(5, 5, 3\)"):
        build_reference_cnn(input_shape=(5, 5, 3))
    with pytest.raises(ValueError, match="input_shape"):
        build_reference_cnn(input_shape=(32, 6, 3))
    assert build_reference_cnn(input_shape=(7, 7, 3), n_labels=2).output_shape == (None, 2)
