"""Keras models of the book: the reference CNN, an improved CNN and an MLP for tabular data.

Importing this module imports Keras (and so TensorFlow). Every layer has an explicit name, so a
model's configuration is identical in every session (the training cache key relies on it).
"""

from __future__ import annotations

import functools
import time
from typing import Any, Sequence

import numpy as np

from ._tensorflow import keras  # imports TensorFlow without its start-up log lines

layers = keras.layers

from ._validation import check_choice, check_int, check_labels, check_thresholds

__all__ = [
    "build_reference_cnn",
    "build_improved_cnn",
    "build_mlp",
    "bfloat16_supported",
    "mixed_precision_policy",
    "IMPROVED_FIT",
    "compile_improved_cnn",
    "EpochClock",
    "time_to_reach",
    "train_improved_cnn",
    "improved_cache_key",
    "load_improved_cnn",
]

_ACTIVATIONS = ("sigmoid", "softmax")


_POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")
_CPUINFO = "/proc/cpuinfo"  # where Linux lists the CPU's instruction-set flags


def _dtype(policy: str) -> dict[str, str]:
    """Layer keyword arguments for ``policy``; none for float32, so float32 configs stay unchanged."""
    check_choice(policy, "policy", _POLICIES)
    return {} if policy == "float32" else {"dtype": policy}


def bfloat16_supported() -> bool:
    """True if this machine's CPU has bfloat16 matrix instructions (x86 AVX512_BF16 or AMX_BF16).

    Read from the CPU flags in ``/proc/cpuinfo`` (Linux); False wherever they cannot be read.
    """
    try:
        with open(_CPUINFO, encoding="utf-8") as info:
            flags = {word for line in info if line.startswith("flags") for word in line.split()}
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def mixed_precision_policy() -> str:
    """The fastest safe Keras dtype policy for training on this machine's CPU.

    ``"mixed_bfloat16"`` where the CPU computes in bfloat16 natively (``bfloat16_supported()``),
    else ``"float32"``: emulated bfloat16 is slower than float32, so the fallback is never slower.
    Under a mixed policy the layers compute in bfloat16 but keep their weights in float32; the
    book's builders keep the output layer in float32 so the sigmoid and the loss stay accurate.
    """
    return "mixed_bfloat16" if bfloat16_supported() else "float32"


def _check_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__len__"):
        raise TypeError(f"input_shape: expected a tuple like (32, 32, 3), got {input_shape!r}")
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(f"input_shape: expected (height, width, channels), got {shape}")
    for size in shape:
        check_int(size, "input_shape", minimum=1)
    return tuple(int(v) for v in shape)


def _check_min_size(shape: tuple[int, ...], minimum: int, model: str) -> None:
    # Refuse, before Keras does with "output size would be zero", an image too small for the
    # convolutions and poolings to leave at least one pixel.
    if min(shape[:2]) < minimum:
        raise ValueError(
            f"input_shape: the {model} needs images of at least {minimum}x{minimum} pixels, got {shape}"
        )


def build_reference_cnn(
    input_shape: Sequence[int] = (32, 32, 3),
    n_labels: int = 10,
    *,
    output_activation: str = "sigmoid",
    policy: str = "float32",
) -> keras.Model:
    """The book's reference CNN (uncompiled); 71,242 parameters at the defaults.

    Input (32, 32, 3) -> Conv2D(32, 3, relu) -> Conv2D(64, 3, relu) -> MaxPooling2D(3) -> Flatten
    -> Dense(n_labels, sigmoid). Outputs (batch, n_labels) independent probabilities.
    ``output_activation="softmax"`` builds the same network with a softmax output, for the
    chapter that shows why softmax cannot say "two labels". ``policy`` is a Keras dtype policy
    for every layer but the output, which stays float32 (see ``mixed_precision_policy``).
    """
    shape = _check_shape(input_shape)
    _check_min_size(shape, 7, "reference CNN")  # 32 -> conv 30 -> conv 28 -> pool 9; 7 -> 1
    n_labels = check_int(n_labels, "n_labels", minimum=1)
    check_choice(output_activation, "output_activation", _ACTIVATIONS)
    hidden = _dtype(policy)
    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1", **hidden)(inputs)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2", **hidden)(x)
    x = layers.MaxPooling2D(3, name="pool", **hidden)(x)
    x = layers.Flatten(name="flatten", **hidden)(x)
    outputs = layers.Dense(n_labels, activation=output_activation, name="labels")(x)
    return keras.Model(inputs, outputs, name="reference_cnn")


def build_improved_cnn(
    input_shape: Sequence[int] = (32, 32, 3),
    n_labels: int = 10,
    *,
    stem: int | None = 16,
    filters: Sequence[int] = (32, 64, 128),
    dropout: float = 0.2,
    bn_momentum: float = 0.9,
    augment: bool = False,
    policy: str = "float32",
) -> keras.Model:
    """Chapter 10's faster, stronger CNN (uncompiled).

    Input -> stem: Conv2D(``stem`` filters, 2x2, stride 2) -> BatchNormalization -> ReLU, a learned
    halving of the resolution (32x32 -> 16x16) that sees all 12 numbers of each 2x2 patch
    (``stem=None``: a fixed AveragePooling2D(2) instead) -> per entry of ``filters``: Conv2D(3x3,
    same, no bias) -> BatchNormalization -> ReLU, with MaxPooling2D(2) between blocks ->
    GlobalMaxPooling2D ("is this digit anywhere?") -> Dropout -> Dense(n_labels, sigmoid, float32).
    99,210 parameters at the defaults. ``bn_momentum`` is every BatchNormalization's momentum: 0.9
    (Keras' default is 0.99) lets the running averages used at prediction time catch up within one
    epoch of 94 steps. ``augment=True`` adds label-preserving RandomRotation and RandomTranslation
    layers in front (active in training only). ``policy`` is the Keras dtype policy of every layer
    but the output, which stays float32. Outputs (batch, n_labels).
    """
    shape = _check_shape(input_shape)
    n_labels = check_int(n_labels, "n_labels", minimum=1)
    if stem is not None:
        stem = check_int(stem, "stem", minimum=1)
    if isinstance(filters, (str, bytes, int)) or not hasattr(filters, "__iter__"):
        raise TypeError(f"filters: expected a sequence of filter counts, got {filters!r}")
    widths = [check_int(f, "filters", minimum=1) for f in filters]
    if not widths:
        raise ValueError("filters: expected at least one block")
    _check_min_size(shape, 2 ** len(widths), "improved CNN")  # one halving in front, one per block
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout!r}")
    if isinstance(bn_momentum, bool) or not isinstance(bn_momentum, (int, float)) or not 0 < bn_momentum < 1:
        raise ValueError(f"bn_momentum: expected a number in (0, 1), got {bn_momentum!r}")
    if not isinstance(augment, bool):
        raise TypeError(f"augment: expected True or False, got {type(augment).__name__}")
    hidden = _dtype(policy)
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    if augment:
        x = layers.RandomRotation(0.03, fill_mode="constant", seed=1, name="augment_rotate")(x)
        x = layers.RandomTranslation(0.05, 0.05, fill_mode="constant", seed=2, name="augment_shift")(x)
    if stem is None:
        x = layers.AveragePooling2D(2, name="downsample", **hidden)(x)
    else:
        x = layers.Conv2D(stem, 2, strides=2, use_bias=False, name="stem_conv", **hidden)(x)
        x = layers.BatchNormalization(momentum=bn_momentum, name="stem_bn", **hidden)(x)
        x = layers.ReLU(name="stem_relu", **hidden)(x)
    for i, width in enumerate(widths, start=1):
        if i > 1:
            x = layers.MaxPooling2D(2, name=f"block{i}_pool", **hidden)(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{i}_conv", **hidden)(x)
        x = layers.BatchNormalization(momentum=bn_momentum, name=f"block{i}_bn", **hidden)(x)
        x = layers.ReLU(name=f"block{i}_relu", **hidden)(x)
    x = layers.GlobalMaxPooling2D(name="anywhere", **hidden)(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout", **hidden)(x)
    outputs = layers.Dense(n_labels, activation="sigmoid", name="labels", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="improved_cnn")


def build_mlp(
    n_features: int,
    n_labels: int,
    *,
    hidden_units: Sequence[int] = (128,),
    dropout: float = 0.2,
) -> keras.Model:
    """A multi-layer perceptron for tabular multi-label data (uncompiled), e.g. Yeast (103 -> 14).

    Input (n_features,) -> [Dense(units, relu) -> Dropout] per entry of ``hidden_units``
    -> Dense(n_labels, sigmoid). Outputs (batch, n_labels). Standardise the features first.
    """
    n_features = check_int(n_features, "n_features", minimum=1)
    n_labels = check_int(n_labels, "n_labels", minimum=1)
    if isinstance(hidden_units, (str, bytes, int)) or not hasattr(hidden_units, "__iter__"):
        raise TypeError(f"hidden_units: expected a sequence of layer sizes, got {hidden_units!r}")
    units = [check_int(u, "hidden_units", minimum=1) for u in hidden_units]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout!r}")
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for i, size in enumerate(units, start=1):
        x = layers.Dense(size, activation="relu", name=f"hidden{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(n_labels, activation="sigmoid", name="labels")(x)
    return keras.Model(inputs, outputs, name="mlp")


# --- Training the improved CNN (chapter 10), cached with mlc_utils.training.cached_model -----------------------

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
        true_positives = np.sum(predicted & self.Y_val)
        self.val_f1_micro.append(float(2 * true_positives / (predicted.sum() + self.Y_val.sum())))
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

    ``policy`` is a Keras dtype policy (float32 by default: chapter 10 measures that mixed precision
    does not speed this network up on the book's CPU; None picks ``mixed_precision_policy()``).
    ``changes`` go to ``build_improved_cnn`` (e.g. ``stem=None`` to measure what one design choice
    buys; the cached model has none). Seeds with the reference data seed. Returns the model and its
    history: per-epoch ``loss``, ``val_f1_micro`` (threshold 0.5) and ``time_s`` (training seconds
    so far, see ``EpochClock``).
    """
    from .training import REFERENCE_DATA, reference_data, set_seed

    policy = mixed_precision_policy() if policy is None else check_choice(policy, "policy", _POLICIES)
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


def _improved_parts(policy: str) -> tuple[Any, Any, dict[str, Any]]:
    from .training import REFERENCE_DATA

    build_fn = functools.partial(build_improved_cnn, policy=policy)
    train_fn = functools.partial(train_improved_cnn, policy)
    return build_fn, train_fn, {"fit": IMPROVED_FIT, "data": REFERENCE_DATA, "policy": policy}


def improved_cache_key(policy: str) -> str:
    """The cache key of the improved CNN trained under ``policy`` (``mlc_utils.training.model_key``)."""
    from .training import model_key

    check_choice(policy, "policy", _POLICIES)
    build_fn, train_fn, parts = _improved_parts(policy)
    return model_key("improved-cnn", build_fn, train_fn, key_parts=parts)


def load_improved_cnn(
    policy: str = "float32", *, verbose: bool = True
) -> tuple[keras.Model, dict[str, list[float]]]:
    """The trained improved CNN and its history, from the cache or trained now (then cached).

    ``policy``: the dtype policy it is trained with (float32 by default, see
    ``train_improved_cnn``; None picks ``mixed_precision_policy()``). Uses ``mlc_utils.training.cached_model``:
    weights only (no code is deserialised), keyed by everything that makes the weights, so a hit
    and a miss give the same model. With ``verbose`` it prints which happened.
    """
    from .training import cached_model

    policy = mixed_precision_policy() if policy is None else check_choice(policy, "policy", _POLICIES)
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose: expected True or False, got {type(verbose).__name__}")
    build_fn, train_fn, parts = _improved_parts(policy)
    return cached_model(
        "improved-cnn", build_fn, train_fn, key_parts=parts,
        what="improved CNN", duration="under a minute", verbose=verbose,
    )
