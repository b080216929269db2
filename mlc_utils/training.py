"""How the book trains its CNNs: seeding, the reference recipe of chapter 4 and the improved
recipe of chapter 10, with the callback and helper that time training to a target.

``train_reference_model()`` and ``train_improved_cnn()`` train from scratch; ``mlc_utils.cache``
keeps their results (``load_reference_model``, ``load_improved_cnn``). Importing this module
imports TensorFlow/Keras.
"""

from __future__ import annotations

import random
import time
from typing import Any, Sequence

import numpy as np

from ._counting import f1_micro
from ._tensorflow import keras, tf  # imports TensorFlow without its start-up log lines
from ._validation import check_int, check_labels, check_thresholds
from .data import make_multidigits
from .models import build_improved_cnn, build_reference_cnn, resolve_policy

__all__ = [
    "set_seed",
    "REFERENCE_DATA",
    "REFERENCE_FIT",
    "reference_data",
    "compile_reference_model",
    "train_reference_model",
    "IMPROVED_FIT",
    "compile_improved_cnn",
    "EpochClock",
    "time_to_reach",
    "train_improved_cnn",
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


# --- The improved CNN (chapter 10) -----------------------------------------------------------------

#: How chapter 10 trains the improved CNN: AdamW (Adam with decoupled weight decay) and a
#: cosine-decayed learning rate, few epochs.
IMPROVED_FIT: dict[str, Any] = {
    "epochs": 8,
    "batch_size": 64,
    "learning_rate": 5e-3,
    "weight_decay": 0.05,
    "schedule": "cosine",
    "loss": "binary_crossentropy",
}


def compile_improved_cnn(model: keras.Model, n_train: int) -> keras.Model:
    """Compile ``model`` with chapter 10's recipe (``IMPROVED_FIT``) for ``n_train`` training images.

    AdamW whose learning rate decays along a cosine from ``learning_rate`` to 0 over all the steps
    of ``epochs`` epochs, and binary cross-entropy. Returns the model.
    """
    n_train = check_int(n_train, "n_train", minimum=1)
    fit = IMPROVED_FIT
    steps = -(-n_train // fit["batch_size"]) * fit["epochs"]
    schedule = keras.optimizers.schedules.CosineDecay(fit["learning_rate"], decay_steps=steps)
    optimizer = keras.optimizers.AdamW(learning_rate=schedule, weight_decay=fit["weight_decay"])
    model.compile(optimizer=optimizer, loss=fit["loss"])
    return model


class EpochClock(keras.callbacks.Callback):
    """After each epoch, record the training wall time so far and the validation micro-F1.

    ``times`` holds seconds since training began, **excluding** the time this callback spends
    predicting the validation set, so it measures training alone; ``val_f1_micro`` the micro-F1 of
    ``score >= threshold`` on ``(X_val, Y_val)``.
    """

    def __init__(self, X_val: Any, Y_val: Any, threshold: float = 0.5) -> None:
        super().__init__()
        self.X_val = np.asarray(X_val, dtype=np.float32)
        self.Y_val = check_labels(Y_val, "Y_val").astype(bool)
        if len(self.X_val) != len(self.Y_val):
            raise ValueError(f"X_val: expected {len(self.Y_val)} samples (as many as Y_val), got {len(self.X_val)}")
        self.threshold = float(check_thresholds(threshold, self.Y_val.shape[1], "threshold"))
        self.times: list[float] = []
        self.val_f1_micro: list[float] = []

    def on_train_begin(self, logs: Any = None) -> None:
        self.times, self.val_f1_micro = [], []
        self._excluded = 0.0
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        now = time.perf_counter()
        self.times.append(now - self._start - self._excluded)
        predicted = self.model.predict(self.X_val, verbose=0, batch_size=500) >= self.threshold
        self.val_f1_micro.append(f1_micro(self.Y_val, predicted))
        self._excluded += time.perf_counter() - now


def time_to_reach(times: Sequence[float], values: Sequence[float], target: float) -> float | None:
    """The first time in ``times`` at which ``values`` reaches ``target`` (``>=``); None if never."""
    times_arr = np.asarray(times, dtype=np.float64)
    values_arr = np.asarray(values, dtype=np.float64)
    if times_arr.ndim != 1 or times_arr.shape != values_arr.shape:
        raise ValueError(
            f"values: expected one value per time ({times_arr.shape}), got shape {values_arr.shape}"
        )
    if isinstance(target, bool) or not isinstance(target, (int, float, np.number)):
        raise TypeError(f"target: expected a number, got {type(target).__name__}")
    reached = np.flatnonzero(values_arr >= target)
    return float(times_arr[reached[0]]) if reached.size else None


def train_improved_cnn(
    policy: str = "float32", *, verbose: int = 0, **changes: Any
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Build, compile and fit the improved CNN on the reference MultiDigits splits (``IMPROVED_FIT``).

    ``policy`` is a Keras dtype policy (float32 by default, so the trained model and its numbers are the
    same on every CPU; None picks ``mixed_precision_policy()``; ``make bench`` measures the speed).
    ``changes`` go to ``build_improved_cnn`` (e.g. ``stem=None`` to measure what one design choice
    buys; the cached model has none). Seeds with the reference data seed. Returns the model and its
    history: per-epoch ``loss``, ``val_f1_micro`` (threshold 0.5) and ``time_s`` (training seconds
    so far, see ``EpochClock``).
    """
    policy = resolve_policy(policy)
    if {"input_shape", "n_labels"} & changes.keys():
        raise TypeError("changes: the data fix input_shape and n_labels; change the architecture only")
    set_seed(REFERENCE_DATA["seed"])
    data = reference_data()
    (X_train, Y_train), (X_val, Y_val) = data["train"], data["val"]
    model = compile_improved_cnn(build_improved_cnn(policy=policy, **changes), len(X_train))
    clock = EpochClock(X_val, Y_val)
    history = model.fit(
        X_train, Y_train, batch_size=IMPROVED_FIT["batch_size"], epochs=IMPROVED_FIT["epochs"],
        callbacks=[clock], verbose=verbose,
    )
    return model, {
        "loss": [float(v) for v in history.history["loss"]],
        "val_f1_micro": clock.val_f1_micro,
        "time_s": clock.times,
    }
