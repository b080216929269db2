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


def test_load_reference_model_trains_on_a_miss_then_loads_on_a_hit(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path))
    tiny = build_reference_cnn(input_shape=(8, 8, 3), n_labels=2)
    tiny.compile(optimizer="adam", loss="binary_crossentropy")
    calls = []

    def fake_train(verbose=0):
        calls.append(verbose)
        return tiny, {"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}

    monkeypatch.setattr(training, "train_reference_model", fake_train)
    model, history = training.load_reference_model()
    assert capsys.readouterr().out.splitlines() == [training.MISS_MESSAGE, training.DONE_MESSAGE]
    assert training.MISS_MESSAGE == "No cached model found: training the reference CNN (about a minute)..."
    assert len(calls) == 1 and history["loss"] == [0.5, 0.4]

    loaded, history = training.load_reference_model()
    assert capsys.readouterr().out == "Loaded the trained reference CNN from the cache.\n"
    assert len(calls) == 1 and history == {"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}
    for a, b in zip(loaded.get_weights(), tiny.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".keras"]

    training.load_reference_model(verbose=False)
    assert capsys.readouterr().out == ""


def test_cache_reference_model_rejects_non_models(tmp_path, monkeypatch):
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path))
    with pytest.raises(TypeError, match="model"):
        training.cache_reference_model("model.keras", {})
