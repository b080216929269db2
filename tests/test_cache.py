"""The model cache (``mlc_utils.cache``): what the key follows, what loading accepts, how it writes.

Training is replaced by a stand-in (an untrained reference CNN, or the real recipe shrunk to a few
samples), so every test takes seconds.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import functools
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import keras
import sklearn

import mlc_utils
from mlc_utils import cache as model_cache
from mlc_utils import data, models, training
from mlc_utils.models import build_reference_cnn

ROOT = Path(__file__).resolve().parents[1]
HISTORY = {"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}
# What the chapters print (their stored outputs hold these lines).
HIT_MESSAGE = "Loaded the trained reference CNN from the cache."
MISS_MESSAGE = "No cached model found: training the reference CNN..."
DONE_MESSAGE = "Trained and cached."


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    """No model kept in memory by an earlier test (``cached_model`` keeps those it could not cache)."""
    monkeypatch.setattr(model_cache, "_SESSION", {})


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """An empty cache folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MLC_UTILS_CACHE", str(folder))
    return folder


@pytest.fixture
def stand_in(monkeypatch):
    """Replace the minute-long training by an untrained reference CNN with a fixed seed; counts calls."""
    calls = []

    def train_reference_model(verbose=0):
        calls.append(verbose)
        keras.utils.set_random_seed(len(calls))
        return build_reference_cnn(), {k: list(v) for k, v in HISTORY.items()}

    # The cache calls the recipe it imported from mlc_utils.training.
    monkeypatch.setattr(model_cache, "train_reference_model", train_reference_model)
    return calls


def edited(monkeypatch, module, old, new):
    """Make the cache read ``module``'s source with ``old`` replaced by ``new``, as after editing the
    file (its digest is read afresh); the code that runs is unchanged, only what the key sees."""
    source = model_cache._module_source
    text = source(module)
    assert text.count(old) == 1, f"{old!r} is not in {module} exactly once"
    monkeypatch.setattr(model_cache, "_module_source",
                        lambda name: text.replace(old, new) if name == module else source(name))
    monkeypatch.setattr(model_cache, "_DIGESTS", {})


def keys():
    """The keys of both cached CNNs: chapter 4's reference and chapter 10's improved CNN."""
    return {"reference": model_cache.cache_key(), "improved": model_cache.improved_cache_key()}


def weights_equal(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights(), strict=True))


# ------------------------------------------------------------------------------------------------
# The key follows every ingredient of the weights
# ------------------------------------------------------------------------------------------------


def test_cache_key_is_stable_within_a_session():
    assert keys() == keys()
    assert all(len(key) == 16 for key in keys().values())
    assert len(set(keys().values())) == 2


CONSTANT_CHANGES = [
    # The MultiDigits generator's constants, changed at run time (an edit of the file is below).
    (data, "_POOL_SEED", 20_241),
    (data, "DIGIT_SIZE", 13),
    (data, "IMAGE_SIZE", 30),
    (data, "MAX_DIGITS", 3),
    (data, "_POOL_FRACTIONS", (0.6, 0.2, 0.2)),
    (data, "SPLITS", ("train", "test", "val")),
    # An architecture's constant.
    (models, "POLICIES", ("float32",)),
    # Library and package versions.
    (mlc_utils, "__version__", "0.1.1"),
    (np, "__version__", "2.99.0"),
    (keras, "__version__", "3.99.0"),
    (tf, "__version__", "2.99.0"),
    (sklearn, "__version__", "1.99.0"),
]


@pytest.mark.parametrize(
    "module, name, value", CONSTANT_CHANGES, ids=[f"{m.__name__}.{n}" for m, n, _ in CONSTANT_CHANGES]
)
def test_every_key_follows_constants_and_versions(monkeypatch, module, name, value):
    before = keys()
    monkeypatch.setattr(module, name, value)
    after = keys()
    assert all(after[model] != before[model] for model in before)


RECIPE_CHANGES = [
    ("REFERENCE_FIT", "learning_rate", 1e-3, {"reference"}),
    ("REFERENCE_FIT", "batch_size", 32, {"reference"}),
    ("REFERENCE_FIT", "epochs", 11, {"reference"}),
    ("REFERENCE_FIT", "early_stopping_patience", 3, {"reference"}),
    ("REFERENCE_FIT", "early_stopping_monitor", "val_accuracy", {"reference"}),
    ("REFERENCE_FIT", "restore_best_weights", False, {"reference"}),
    ("REFERENCE_FIT", "optimizer", "sgd", {"reference"}),
    ("IMPROVED_FIT", "epochs", 9, {"improved"}),
    ("IMPROVED_FIT", "learning_rate", 1e-3, {"improved"}),
    ("IMPROVED_FIT", "weight_decay", 0.0, {"improved"}),
    # Both CNNs train on the reference data.
    ("REFERENCE_DATA", "n_train", 5000, {"reference", "improved"}),
    ("REFERENCE_DATA", "n_val", 900, {"reference", "improved"}),
    ("REFERENCE_DATA", "n_test", 1000, {"reference", "improved"}),
    ("REFERENCE_DATA", "seed", 1, {"reference", "improved"}),
]


@pytest.mark.parametrize("recipe, name, value, affected", RECIPE_CHANGES,
                         ids=[f"{r}.{n}" for r, n, _, _ in RECIPE_CHANGES])
def test_a_recipe_constant_changes_every_affected_key(monkeypatch, recipe, name, value, affected):
    before = keys()
    monkeypatch.setitem(getattr(training, recipe), name, value)
    after = keys()
    # A key changes only a little too often (the recipes share a module); it never misses a change.
    assert {model for model in before if after[model] != before[model]} >= affected


SOURCE_EDITS = [
    # The reproducer: the generator's noise level, then its other parts.
    ("mlc_utils.data", "np.float32(0.05) * noise", "np.float32(0.06) * noise"),
    ("mlc_utils.data", "rng.uniform(0.0, 0.35", "rng.uniform(0.0, 0.30"),
    ("mlc_utils.data", "np.random.default_rng(_POOL_SEED)", "np.random.default_rng(_POOL_SEED + 1)"),
    ("mlc_utils.data", "X, Y, _, _ = _generate(", "X, Y, _, _ = _generate(  #\n    "),
    # The architectures.
    ("mlc_utils.models", 'Conv2D(32, 3, activation="relu"', 'Conv2D(16, 3, activation="relu"'),
    ("mlc_utils.models", 'x = layers.GlobalMaxPooling2D(name="anywhere"', 'x = layers.GlobalAveragePooling2D(name="anywhere"'),
    # The recipes.
    ("mlc_utils.training", "callbacks=[early_stopping]", "callbacks=[]"),
    ("mlc_utils.training", "keras.optimizers.Adam(", "keras.optimizers.SGD("),
    ("mlc_utils.training", "set_random_seed(seed)", "set_random_seed(seed + 1)"),
    ("mlc_utils.training", '"weight_decay": 0.05', '"weight_decay": 0.04'),
    # What they are built on: argument checks, the counting behind EpochClock, TensorFlow's import.
    ("mlc_utils._validation", "def check_int(", "def check_int(  #\n"),
    ("mlc_utils._counting", "def divide(", "def divide(  #\n"),
    ("mlc_utils._tensorflow", 'setdefault("TF_CPP_MIN_LOG_LEVEL", "3")', 'setdefault("TF_CPP_MIN_LOG_LEVEL", "2")'),
    ("mlc_utils", '__version__ = "', '__version__ = "1'),
]


@pytest.mark.parametrize("module, old, new", SOURCE_EDITS, ids=[f"{m}:{o[:24]}" for m, o, _ in SOURCE_EDITS])
def test_an_edit_of_any_module_the_recipes_import_changes_every_key(monkeypatch, module, old, new):
    before = keys()
    edited(monkeypatch, module, old, new)
    after = keys()
    assert all(after[model] != before[model] for model in before)


@pytest.mark.parametrize("module", ["mlc_utils.plotting", "mlc_utils.exercises", "mlc_utils.metrics"])
def test_an_edit_of_a_module_the_recipes_never_import_keeps_the_keys(monkeypatch, module):
    # Not a requirement, a measure of how often a key changes needlessly: these modules cannot
    # change the weights, and the recipes do not import them.
    before = keys()
    edited(monkeypatch, module, "from __future__ import annotations", "from __future__ import annotations  #")
    assert keys() == before


def test_the_keys_cover_the_modules_training_imports_and_nothing_above():
    covered = model_cache._closure({"mlc_utils.training"})
    assert covered == {"mlc_utils", "mlc_utils._counting", "mlc_utils._tensorflow", "mlc_utils._validation",
                       "mlc_utils.data", "mlc_utils.models", "mlc_utils.training"}
    # Imports inside functions count: data.py imports _tensorflow only inside make_tf_dataset.
    assert "mlc_utils._tensorflow" in model_cache._imports_of("mlc_utils.data")


def test_cache_key_follows_the_built_architecture(monkeypatch):
    # No source changes, but Keras builds another model (float64 weights): the configuration counts.
    before = keys()
    floatx = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        after = keys()
    finally:
        keras.config.set_floatx(floatx)
    assert all(after[model] != before[model] for model in before)
    assert keys() == before


KEY_SCRIPT = ("import mlc_utils, mlc_utils.cache as c; print(mlc_utils.__file__); "
              "print(c.cache_key()); print(c.improved_cache_key())")


@pytest.mark.slow
def test_every_key_follows_an_edit_of_data_py_in_a_copy_of_the_package(tmp_path):
    """The issue's reproducer, on disk: the same package copied twice, one copy with the noise changed.
    Both CNNs are trained on MultiDigits, so both keys change."""
    processes = {}
    for variant in ("same", "edited"):
        package = tmp_path / variant / "mlc_utils"
        shutil.copytree(ROOT / "mlc_utils", package, ignore=shutil.ignore_patterns("__pycache__"))
        if variant == "edited":
            source = (package / "data.py").read_text()
            assert source.count("np.float32(0.05) * noise") == 1
            (package / "data.py").write_text(source.replace("np.float32(0.05) * noise", "np.float32(0.06) * noise"))
        env = dict(os.environ, PYTHONPATH=str(package.parent))
        processes[variant] = subprocess.Popen(
            [sys.executable, "-c", KEY_SCRIPT], cwd=package.parent, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
    found = {}
    for variant, process in processes.items():
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0
        imported_from, reference, improved = out.split()
        assert Path(imported_from).parent == tmp_path / variant / "mlc_utils"
        found[variant] = {"reference": reference, "improved": improved}
    assert found["same"] == keys()  # no path or process in the key: a copy agrees
    assert all(found["edited"][model] != found["same"][model] for model in found["same"])


# ------------------------------------------------------------------------------------------------
# Hit and miss
# ------------------------------------------------------------------------------------------------


def test_miss_trains_and_caches_then_a_hit_loads_the_same_weights(cache, stand_in, capsys):
    model, history = model_cache.load_reference_model()
    assert capsys.readouterr().out.splitlines() == [MISS_MESSAGE, DONE_MESSAGE]
    assert len(stand_in) == 1 and history == HISTORY

    loaded, history = model_cache.load_reference_model()
    assert capsys.readouterr().out == HIT_MESSAGE + "\n"
    assert len(stand_in) == 1 and history == HISTORY
    assert weights_equal(loaded, model)
    # A hit and a miss return the same thing: compiled by compile_reference_model, ready to evaluate.
    for returned in (model, loaded):
        assert isinstance(returned.optimizer, keras.optimizers.Adam) and returned.loss == "binary_crossentropy"
        assert returned.optimizer.learning_rate.numpy() == pytest.approx(training.REFERENCE_FIT["learning_rate"])
    assert [p.name for p in cache.iterdir()] == [f"reference-{model_cache.cache_key()}.keras"]

    model_cache.load_reference_model(verbose=False)
    assert capsys.readouterr().out == ""


def test_a_changed_recipe_is_a_miss(cache, stand_in, monkeypatch, capsys):
    model_cache.load_reference_model(verbose=False)
    monkeypatch.setitem(training.REFERENCE_FIT, "epochs", 11)
    model_cache.load_reference_model()
    assert capsys.readouterr().out.splitlines()[0] == MISS_MESSAGE
    assert len(stand_in) == 2


@pytest.mark.slow
def test_cache_reference_model_accepts_a_keras_history_and_returns_the_path(cache):
    model = training.compile_reference_model(build_reference_cnn())
    fit = model.fit(np.zeros((4, 32, 32, 3), "float32"), np.zeros((4, 10)), epochs=1, verbose=0)
    path = model_cache.cache_reference_model(model, fit)
    assert path == cache / f"reference-{model_cache.cache_key()}.keras" and path.is_file()
    loaded, history = model_cache.load_reference_model(verbose=False)
    assert set(history) == {"loss", "accuracy"} and len(history["loss"]) == 1
    assert weights_equal(loaded, model)


def test_cache_reference_model_refuses_another_architecture(cache):
    with pytest.raises(ValueError, match="model: expected the reference CNN"):
        model_cache.cache_reference_model(build_reference_cnn(n_labels=3), HISTORY)
    with pytest.raises(TypeError, match="model"):
        model_cache.cache_reference_model("model.keras", HISTORY)
    assert not cache.exists() or not any(cache.iterdir())


# ------------------------------------------------------------------------------------------------
# Loading never trusts the file
# ------------------------------------------------------------------------------------------------


def architecture(model):
    return hashlib.sha256(json.dumps(model.get_config(), sort_keys=True, default=repr).encode()).hexdigest()


def plant(path, model, history=HISTORY, **meta_changes):
    """Write ``model`` at ``path`` as an attacker who knows the format would, with forged metadata
    (and a history file beside it, as the cache of version 0.1.0 wanted)."""
    meta = {"format": 2, "name": "reference", "key": model_cache.cache_key(),
            "architecture": architecture(build_reference_cnn()), "history": history}
    meta.update(meta_changes)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".json").write_text(json.dumps(history))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Keras 3.15 + NumPy 2 while saving
        model.save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("mlc_utils.json", json.dumps(meta))


@pytest.fixture
def unsafe_deserialization():
    """``keras.config.enable_unsafe_deserialization()``, as a learner may have called it; undone after."""
    from keras.src.saving import serialization_lib
    from keras.src.backend.common import global_state

    previous = global_state.get_global_attribute("safe_mode_saving")
    keras.config.enable_unsafe_deserialization()
    assert serialization_lib.in_safe_mode() is False
    yield
    global_state.set_global_attribute("safe_mode_saving", previous)


def test_a_planted_lambda_payload_never_runs(cache, stand_in, tmp_path, monkeypatch, unsafe_deserialization, capsys):
    marker = tmp_path / "payload-ran"
    monkeypatch.setenv("MLC_PAYLOAD_MARKER", str(marker))
    # Self-contained (no globals, no closure), so Keras can serialize it and run it again on load.
    payload = lambda x: (__import__("pathlib").Path(__import__("os").environ["MLC_PAYLOAD_MARKER"]).write_text("ran"), x)[1]  # noqa: E731,E501
    inputs = keras.Input((32, 32, 3))
    evil = keras.Model(inputs, keras.layers.Lambda(payload, name="payload")(inputs))
    marker.unlink()  # building the model ran it once; from now on only a load could
    path = cache / f"reference-{model_cache.cache_key()}.keras"
    plant(path, evil)
    planted = tmp_path / "planted.keras"
    shutil.copy(path, planted)

    model, history = model_cache.load_reference_model()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Ignoring the cached file {path.name}: its weights do not fit")
    assert out[1:] == [MISS_MESSAGE, DONE_MESSAGE]
    assert not marker.exists()
    assert len(stand_in) == 1

    # The planted file is live: Keras' own loader, with unsafe deserialization on, runs the payload.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras.models.load_model(planted)
    assert marker.exists()


def test_a_valid_model_of_another_architecture_is_a_miss(cache, stand_in, capsys):
    path = cache / f"reference-{model_cache.cache_key()}.keras"
    other = build_reference_cnn(n_labels=3)
    plant(path, other)  # forged metadata: only the weights can tell
    model_cache.load_reference_model()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Ignoring the cached file {path.name}: its weights do not fit the architecture")
    assert out[1] == MISS_MESSAGE and len(stand_in) == 1

    # A plain .keras file of another model, as Keras writes it, is not an mlc_utils cache file.
    path.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        other.save(path)
    model_cache.load_reference_model()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Ignoring the cached file {path.name}: it was not written by mlc_utils (no mlc_utils.json inside)."
    assert len(stand_in) == 2


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"key": "0123456789abcdef"}, "it was written for another key"),
        ({"architecture": "0" * 64}, "it was written for another architecture"),
        ({"format": 1}, "it was written for another format"),
        ({"name": "improved"}, "it was written for another name"),
    ],
)
def test_metadata_for_another_model_is_a_miss(cache, stand_in, capsys, change, reason):
    path = cache / f"reference-{model_cache.cache_key()}.keras"
    plant(path, build_reference_cnn(), **change)
    model_cache.load_reference_model()
    assert capsys.readouterr().out.splitlines()[0].startswith(f"Ignoring the cached file {path.name}: {reason}")
    assert len(stand_in) == 1


@pytest.mark.parametrize(
    "history",
    [
        [0.5, 0.4],
        {},
        {"loss": "0.5"},
        {"loss": [0.5, "0.4"]},
        {"loss": [True, False]},
        {"loss": [0.5, 0.4], "val_loss": [0.5]},
        {"loss": []},
        {"loss": {"epoch": 0.5}},
        None,
    ],
)
def test_a_history_of_the_wrong_shape_is_a_miss(cache, stand_in, capsys, history):
    path = cache / f"reference-{model_cache.cache_key()}.keras"
    plant(path, build_reference_cnn(), history=history)
    _, loaded_history = model_cache.load_reference_model()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Ignoring the cached file {path.name}: its training history has the wrong shape")
    assert loaded_history == HISTORY and len(stand_in) == 1


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04" + b"\0" * 40])
def test_a_corrupt_file_is_a_miss(cache, stand_in, capsys, content):
    path = cache / f"reference-{model_cache.cache_key()}.keras"
    cache.mkdir()
    path.write_bytes(content)
    model_cache.load_reference_model()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Ignoring the cached file {path.name}: it is not a readable cache file")
    assert len(stand_in) == 1
    model_cache.load_reference_model(verbose=False)  # replaced by a good file
    assert len(stand_in) == 1


def test_a_truncated_cache_file_is_a_miss(cache, stand_in, capsys):
    model_cache.load_reference_model(verbose=False)
    path = cache / f"reference-{model_cache.cache_key()}.keras"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    model_cache.load_reference_model()
    assert capsys.readouterr().out.startswith(f"Ignoring the cached file {path.name}: it is not a readable")
    assert len(stand_in) == 2


# ------------------------------------------------------------------------------------------------
# Writing: one unit, atomically; an unwritable cache loses nothing
# ------------------------------------------------------------------------------------------------


def can_write_in(folder):
    try:
        handle, name = tempfile.mkstemp(dir=folder)
    except OSError:
        return False
    os.close(handle)
    os.unlink(name)
    return True


def read_only_folder(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if can_write_in(folder):  # root ignores permissions: use a folder of a read-only file system
        folder = next((f for f in (Path("/sys"), Path("/proc/self")) if f.is_dir() and not can_write_in(f)), None)
        if folder is None:
            pytest.skip("no read-only folder available to this user")
    return folder


UNWRITABLE = {
    "read-only folder": read_only_folder,
    "folder under a file": lambda tmp: (tmp / "file").write_text("x") and tmp / "file" / "cache",
    "MLC_UTILS_CACHE is a file": lambda tmp: (tmp / "file").write_text("x") and tmp / "file",
}


@pytest.mark.parametrize("where", UNWRITABLE)
def test_an_unwritable_cache_still_returns_the_trained_model(monkeypatch, tmp_path, stand_in, capsys, where):
    folder = UNWRITABLE[where](tmp_path)
    monkeypatch.setenv("MLC_UTILS_CACHE", str(folder))
    with pytest.warns(model_cache.CacheWarning, match=f"Could not cache the trained reference CNN in {folder}"):
        model, history = model_cache.load_reference_model()
    assert isinstance(model, keras.Model) and history == HISTORY
    assert capsys.readouterr().out.splitlines() == [MISS_MESSAGE, "Trained (not cached)."]

    # Later calls in the same session reuse it instead of training (and failing) again.
    again, _ = model_cache.load_reference_model()
    assert "earlier in this session" in capsys.readouterr().out
    assert len(stand_in) == 1 and weights_equal(again, model)


def test_an_unwritable_cache_names_the_folder_when_caching_explicitly(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path / "file"))
    with pytest.raises(OSError, match="could not cache the reference CNN in .*file"):
        model_cache.cache_reference_model(build_reference_cnn(), HISTORY)


def test_a_folder_at_the_model_path_leaves_nothing_half_written(cache, stand_in, capsys):
    path = cache / f"reference-{model_cache.cache_key()}.keras"
    path.mkdir(parents=True)
    with pytest.warns(model_cache.CacheWarning, match="Could not cache"):
        model, history = model_cache.load_reference_model()
    assert capsys.readouterr().out.startswith(f"Ignoring the cached file {path.name}: it is not a file")
    assert history == HISTORY
    assert sorted(p.name for p in cache.iterdir()) == [path.name]  # no stray history or temporary file


def test_cache_dir_expands_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MLC_UTILS_CACHE", "~/models")
    assert model_cache.cache_dir() == tmp_path / "models"


def test_two_interleaved_writers_leave_one_complete_pair(cache, monkeypatch):
    """Writer B runs completely while writer A is between its last two steps (its last rename)."""
    model_a, model_b = build_reference_cnn(), build_reference_cnn()
    history_a, history_b = {"loss": [1.0]}, {"loss": [2.0, 3.0]}
    assert not weights_equal(model_a, model_b)

    # How many renames does one write make? (count on a throw-away cache)
    real_replace = os.replace
    renames = []
    monkeypatch.setattr(os, "replace", lambda *a, **k: (renames.append(a), real_replace(*a, **k))[1])
    monkeypatch.setenv("MLC_UTILS_CACHE", str(cache.parent / "count"))
    model_cache.cache_reference_model(model_a, history_a)
    monkeypatch.setenv("MLC_UTILS_CACHE", str(cache))
    n_renames = len(renames)
    assert n_renames >= 1

    calls = []

    def interleaved(*args, **kwargs):
        calls.append(args)
        if len(calls) == n_renames:  # writer A's last rename: writer B writes everything first
            monkeypatch.setattr(os, "replace", real_replace)
            model_cache.cache_reference_model(model_b, history_b)
        return real_replace(*args, **kwargs)

    monkeypatch.setattr(os, "replace", interleaved)
    model_cache.cache_reference_model(model_a, history_a)
    monkeypatch.setattr(os, "replace", real_replace)

    loaded, history = model_cache.load_reference_model(verbose=False)
    winner = model_a if history == history_a else model_b
    assert history in (history_a, history_b)
    assert weights_equal(loaded, winner)
    assert [p.name for p in cache.iterdir()] == [f"reference-{model_cache.cache_key()}.keras"]


# ------------------------------------------------------------------------------------------------
# cached_model: the same for any model a chapter trains
# ------------------------------------------------------------------------------------------------


def tiny_build(n_labels=2):
    return build_reference_cnn(input_shape=(8, 8, 3), n_labels=n_labels)


def tiny_compile(model):
    model.compile(optimizer="adam", loss="binary_crossentropy")


@pytest.mark.slow
def test_cached_model_trains_once_and_follows_its_key_parts(cache, capsys):
    trained = []

    def train(epochs=1):
        keras.utils.set_random_seed(0)
        model = tiny_build()
        tiny_compile(model)
        rng = np.random.default_rng(0)
        fit = model.fit(rng.random((16, 8, 8, 3)), rng.integers(0, 2, (16, 2)), epochs=epochs, verbose=0)
        trained.append(model)
        return model, fit

    kwargs = dict(build_fn=tiny_build, train_fn=train, compile_fn=tiny_compile, what="tiny CNN")
    model, history = model_cache.cached_model("tiny", key_parts={"epochs": 1}, **kwargs)
    assert capsys.readouterr().out.splitlines() == [
        "No cached model found: training the tiny CNN...", "Trained and cached."]
    assert set(history) == {"loss"} and len(history["loss"]) == 1

    loaded, again = model_cache.cached_model("tiny", key_parts={"epochs": 1}, **kwargs)
    assert capsys.readouterr().out == "Loaded the trained tiny CNN from the cache.\n"
    assert len(trained) == 1 and again == history and weights_equal(loaded, model)

    model_cache.cached_model("tiny", key_parts={"epochs": 2}, verbose=False, **kwargs)
    model_cache.cached_model("tiny", key_parts={"epochs": 1, "data": np.ones(3)}, verbose=False, **kwargs)
    model_cache.cached_model("tiny", key_parts={"epochs": 1}, verbose=False,
                          **dict(kwargs, train_fn=functools.partial(train, epochs=2)))
    assert len(trained) == 4
    assert len(list(cache.glob("tiny-*.keras"))) == 4


def test_cached_model_refuses_bad_arguments(cache):
    with pytest.raises(ValueError, match="name"):
        model_cache.cached_model("../evil", tiny_build, lambda: None)
    with pytest.raises(TypeError, match="train_fn"):
        model_cache.cached_model("tiny", tiny_build, "train")
    with pytest.raises(ValueError, match="train_fn: returned a model whose architecture differs"):
        model_cache.cached_model("tiny", tiny_build, lambda: (tiny_build(n_labels=3), {"loss": [1.0]}))


# ------------------------------------------------------------------------------------------------
# The improved CNN of chapter 10
# ------------------------------------------------------------------------------------------------


def test_improved_cache_key_follows_policy_and_recipe(monkeypatch):
    key = model_cache.improved_cache_key("float32")
    assert model_cache.improved_cache_key("float32") == key == model_cache.improved_cache_key()
    assert model_cache.improved_cache_key("mixed_bfloat16") != key
    with pytest.raises(ValueError, match="policy"):
        model_cache.improved_cache_key("bfloat16")
    monkeypatch.setitem(training.IMPROVED_FIT, "epochs", 99)
    assert model_cache.improved_cache_key("float32") != key


@pytest.mark.slow
def test_improved_cnn_miss_then_hit_return_the_same_compiled_model(tmp_path, monkeypatch, capsys):
    small = {s: data.make_multidigits(32, split=s, seed=0) for s in ("train", "val", "test")}
    monkeypatch.setattr(training, "reference_data", lambda: small)  # what train_improved_cnn calls
    monkeypatch.setitem(training.IMPROVED_FIT, "epochs", 1)
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path))
    trained, history = model_cache.load_improved_cnn("float32")
    assert "training the improved CNN" in capsys.readouterr().out
    assert len(history["val_f1_micro"]) == len(history["time_s"]) == 1
    loaded, history_again = model_cache.load_improved_cnn("float32")
    assert capsys.readouterr().out.strip() == "Loaded the trained improved CNN from the cache."
    assert history_again == history
    assert weights_equal(trained, loaded)
    # The same thing either way: compiled afresh with chapter 10's recipe, optimizer not yet stepped.
    for model in (trained, loaded):
        assert isinstance(model.optimizer, keras.optimizers.AdamW) and model.loss == "binary_crossentropy"
        assert int(model.optimizer.iterations.numpy()) == 0
    X = small["val"][0][:4]
    np.testing.assert_array_equal(trained.predict(X, verbose=0), loaded.predict(X, verbose=0))


def test_cache_dir_default_is_the_ignored_repo_folder(monkeypatch):
    monkeypatch.delenv("MLC_UTILS_CACHE", raising=False)
    assert model_cache.cache_dir() == ROOT / ".cache" / "mlc_utils"


def test_cache_dir_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path))
    assert model_cache.cache_dir() == tmp_path


def test_cache_key_is_stable_and_covers_the_recipe(monkeypatch):
    key = model_cache.cache_key()
    assert key == model_cache.cache_key()
    monkeypatch.setitem(training.REFERENCE_FIT, "epochs", 11)
    assert model_cache.cache_key() != key
    monkeypatch.setitem(training.REFERENCE_FIT, "epochs", 10)
    monkeypatch.setitem(training.REFERENCE_DATA, "seed", 1)
    assert model_cache.cache_key() != key


def test_cache_reference_model_rejects_non_models(tmp_path, monkeypatch):
    monkeypatch.setenv("MLC_UTILS_CACHE", str(tmp_path))
    with pytest.raises(TypeError, match="model"):
        model_cache.cache_reference_model("model.keras", {})
