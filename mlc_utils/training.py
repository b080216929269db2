"""Seeding, the shared training recipe, and a cached trained reference CNN for later chapters.

Importing this module imports TensorFlow/Keras.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ._tensorflow import keras, tf  # imports TensorFlow without its start-up log lines

from . import __version__
from ._validation import check_int
from .data import GENERATOR_VERSION, make_multidigits
from .models import build_reference_cnn

__all__ = [
    "set_seed",
    "REFERENCE_DATA",
    "REFERENCE_FIT",
    "reference_data",
    "compile_reference_model",
    "train_reference_model",
    "cache_dir",
    "cache_key",
    "cache_reference_model",
    "load_reference_model",
]

#: The MultiDigits sizes and seed every chapter uses for the reference model.
REFERENCE_DATA: dict[str, int] = {"n_train": 6000, "n_val": 1000, "n_test": 2000, "seed": 0}

#: How chapter 4 compiles and fits the reference CNN.
REFERENCE_FIT: dict[str, Any] = {
    "optimizer": "adam",
    "learning_rate": 3e-3,
    "loss": "binary_crossentropy",
    "metrics": ["accuracy"],
    "batch_size": 64,
    "epochs": 10,
    "early_stopping_monitor": "val_loss",
    "early_stopping_patience": 2,
    "restore_best_weights": True,
}

HIT_MESSAGE = "Loaded the trained reference CNN from the cache."
MISS_MESSAGE = "No cached model found: training the reference CNN (about a minute)..."
DONE_MESSAGE = "Trained and cached."


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and TensorFlow (``keras.utils.set_random_seed``) and make TF ops deterministic."""
    seed = check_int(seed, "seed", minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def reference_data() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """MultiDigits as used by the reference model: ``{"train": (X, Y), "val": (X, Y), "test": (X, Y)}``.

    Sizes and seed from ``REFERENCE_DATA``; X (n, 32, 32, 3) float32, Y (n, 10) int 0/1.
    """
    seed = REFERENCE_DATA["seed"]
    return {
        split: make_multidigits(REFERENCE_DATA[f"n_{split}"], split=split, seed=seed)
        for split in ("train", "val", "test")
    }


def compile_reference_model(model: keras.Model) -> keras.Model:
    """Compile ``model`` as chapter 4 does: Adam (``REFERENCE_FIT["learning_rate"]``), binary
    cross-entropy and Keras' ``"accuracy"`` metric. Returns the model."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=REFERENCE_FIT["learning_rate"]),
        loss=REFERENCE_FIT["loss"],
        # As in chapter 4: the string "accuracy", which Keras 3 resolves from the output shape, not
        # from the loss. For a 10-unit output it is CategoricalAccuracy (argmax of the scores ==
        # argmax of the 0/1 row, i.e. the lowest true digit), not the per-label accuracy.
        metrics=list(REFERENCE_FIT["metrics"]),
    )
    return model


def train_reference_model(verbose: int = 0) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build, compile and fit the reference CNN exactly as chapter 4 does.

    Seeds with ``REFERENCE_DATA["seed"]``, fits on the train split with the val split for early
    stopping (``REFERENCE_FIT``). Returns the model (best weights restored) and its history
    as a dict of per-epoch lists (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``).
    """
    set_seed(REFERENCE_DATA["seed"])
    data = reference_data()
    model = compile_reference_model(build_reference_cnn())
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=REFERENCE_FIT["early_stopping_monitor"],
        patience=REFERENCE_FIT["early_stopping_patience"],
        restore_best_weights=REFERENCE_FIT["restore_best_weights"],
    )
    history = model.fit(
        *data["train"],
        validation_data=data["val"],
        batch_size=REFERENCE_FIT["batch_size"],
        epochs=REFERENCE_FIT["epochs"],
        callbacks=[early_stopping],
        verbose=verbose,
    )
    return model, {k: [float(v) for v in values] for k, values in history.history.items()}


def cache_dir() -> Path:
    """Where the trained model is cached.

    ``$MLC_UTILS_CACHE`` if set; else ``.cache/mlc_utils`` at the repository root when the package
    runs from a source checkout (an ignored folder); else ``~/.cache/mlc_utils``.
    """
    override = os.environ.get("MLC_UTILS_CACHE")
    if override:
        return Path(override)
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file():
        return root / ".cache" / "mlc_utils"
    return Path.home() / ".cache" / "mlc_utils"


def cache_key() -> str:
    """SHA-256 of everything that changes the trained model.

    Covers the package version, the MultiDigits generator version, ``REFERENCE_DATA``, ``REFERENCE_FIT``, the architecture's Keras
    configuration and the TensorFlow/Keras major.minor versions.
    """
    def major_minor(version: str) -> str:
        return ".".join(version.split(".")[:2])

    payload = {
        "mlc_utils": __version__,
        "multidigits_generator": GENERATOR_VERSION,
        "data": REFERENCE_DATA,
        "fit": REFERENCE_FIT,
        "architecture": build_reference_cnn().get_config(),
        "tensorflow": major_minor(tf.__version__),
        "keras": major_minor(keras.__version__),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _paths() -> tuple[Path, Path]:
    key = cache_key()
    folder = cache_dir()
    return folder / f"reference-{key}.keras", folder / f"reference-{key}.json"


def cache_reference_model(model: keras.Model, history: Any) -> Path:
    """Store ``model`` (``.keras``) and ``history`` (JSON; a dict or a Keras History) in the cache.

    Writes to temporary files and renames them, so a concurrent reader never sees half a file.
    Returns the path of the stored model.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    if hasattr(history, "history"):
        history = history.history
    if not isinstance(history, dict):
        raise TypeError(f"history: expected a dict or a keras History, got {type(history).__name__}")
    model_path, history_path = _paths()
    model_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_path.parent) as tmp:
        tmp_model = Path(tmp) / model_path.name
        model.save(tmp_model)
        tmp_history = Path(tmp) / history_path.name
        tmp_history.write_text(
            json.dumps({k: [float(v) for v in values] for k, values in history.items()}, indent=1)
        )
        os.replace(tmp_history, history_path)
        os.replace(tmp_model, model_path)
    return model_path


def load_reference_model(verbose: bool = True) -> tuple[keras.Model, dict[str, list[float]]]:
    """The trained reference CNN and its training history, from the cache or trained now.

    A cache hit loads the stored model; a miss trains with ``train_reference_model`` and stores the
    result. With ``verbose`` it prints which happened: on a hit the single line
    ``Loaded the trained reference CNN from the cache.``; on a miss
    ``No cached model found: training the reference CNN (about a minute)...`` then
    ``Trained and cached.``.
    """
    model_path, history_path = _paths()
    if model_path.is_file() and history_path.is_file():
        try:
            model = keras.models.load_model(model_path)
            history = json.loads(history_path.read_text())
        except Exception:  # a corrupt or incompatible file: train again
            pass
        else:
            if verbose:
                print(HIT_MESSAGE)
            return model, history
    if verbose:
        print(MISS_MESSAGE, flush=True)
    model, history = train_reference_model(verbose=0)
    cache_reference_model(model, history)
    if verbose:
        print(DONE_MESSAGE)
    return model, history
