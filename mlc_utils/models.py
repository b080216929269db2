"""Keras architectures of the book: the reference CNN, an improved CNN and an MLP for tabular data.

Architectures only (how they are trained lives in ``training``, the trained-model cache in
``cache``). Importing this module imports Keras (and so TensorFlow). Every layer has an explicit
name, so a model's configuration is identical in every session (the cache key relies on it).
"""

from __future__ import annotations

from typing import Sequence

from ._tensorflow import keras  # imports TensorFlow without its start-up log lines
from ._validation import check_choice, check_int

__all__ = [
    "build_reference_cnn",
    "build_improved_cnn",
    "build_mlp",
    "bfloat16_supported",
    "mixed_precision_policy",
    "POLICIES",
    "resolve_policy",
]

layers = keras.layers

_ACTIVATIONS = ("sigmoid", "softmax")


#: The Keras dtype policies the builders accept (``policy=``).
POLICIES: tuple[str, ...] = ("float32", "mixed_bfloat16", "mixed_float16")
_CPUINFO = "/proc/cpuinfo"  # where Linux lists the CPU's instruction-set flags


def _dtype(policy: str) -> dict[str, str]:
    """Layer keyword arguments for ``policy``; none for float32, so float32 configs stay unchanged."""
    check_choice(policy, "policy", POLICIES)
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
    """The Keras dtype policy to try for training on this machine's CPU.

    ``"mixed_bfloat16"`` where the CPU computes in bfloat16 natively (``bfloat16_supported()``),
    else ``"float32"``: emulated bfloat16 is usually slower than float32. A network as cheap as the
    improved CNN may gain little even with bfloat16 units: measure it (``make bench``).
    Under a mixed policy the layers compute in bfloat16 but keep their weights in float32; the
    book's builders keep the output layer in float32 so the sigmoid and the loss stay accurate.
    """
    return "mixed_bfloat16" if bfloat16_supported() else "float32"


def resolve_policy(policy: str | None) -> str:
    """``policy`` checked against ``POLICIES``; None picks ``mixed_precision_policy()``."""
    return mixed_precision_policy() if policy is None else check_choice(policy, "policy", POLICIES)


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
    ``output_activation="softmax"`` builds the same network with a softmax output, for comparisons
    (its scores share one unit, so a present label's score shrinks with the number of labels present).
    ``policy`` is a Keras dtype policy
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


def _improved_cnn_arguments(
    input_shape: Sequence[int],
    n_labels: int,
    stem: int | None,
    filters: Sequence[int],
    dropout: float,
    bn_momentum: float,
    augment: bool,
    policy: str,
) -> tuple[tuple[int, ...], int, int | None, list[int], dict[str, str]]:
    """``build_improved_cnn``'s argument checks, each error naming its argument.

    Returns the checked ``(shape, n_labels, stem, widths, hidden)``: ``widths`` the filter count of
    each block, ``hidden`` the layer keyword arguments of ``policy`` (see ``_dtype``).
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
    if (isinstance(bn_momentum, bool) or not isinstance(bn_momentum, (int, float))
            or not 0 < bn_momentum < 1):
        raise ValueError(f"bn_momentum: expected a number in (0, 1), got {bn_momentum!r}")
    if not isinstance(augment, bool):
        raise TypeError(f"augment: expected True or False, got {type(augment).__name__}")
    return shape, n_labels, stem, widths, _dtype(policy)


def build_improved_cnn(
    input_shape: Sequence[int] = (32, 32, 3), n_labels: int = 10, *, stem: int | None = 16,
    filters: Sequence[int] = (32, 64, 128), dropout: float = 0.2, bn_momentum: float = 0.9,
    augment: bool = False, policy: str = "float32",
) -> keras.Model:
    """Chapter 10's faster, stronger CNN (uncompiled); 99,210 parameters at the defaults.

    Images (batch, *input_shape) -> (batch, n_labels) probabilities. ``stem=None``: a fixed 2x2
    average instead of the learned stem. ``policy`` (a Keras dtype policy) applies to every layer
    but the output, which stays float32. The argument checks are in ``_improved_cnn_arguments``.
    """
    shape, n_labels, stem, widths, hidden = _improved_cnn_arguments(
        input_shape, n_labels, stem, filters, dropout, bn_momentum, augment, policy)
    x = inputs = keras.Input(shape=shape, name="image")
    if augment:  # random small rotations and shifts keep the label set; active in training only
        x = layers.RandomRotation(0.03, fill_mode="constant", seed=1, name="augment_rotate")(x)
        x = layers.RandomTranslation(0.05, 0.05, fill_mode="constant", seed=2, name="augment_shift")(x)
    if stem is None:  # halve the resolution with a fixed 2x2 average
        x = layers.AveragePooling2D(2, name="downsample", **hidden)(x)
    else:  # ... or learn it: each 2x2 patch (4 pixels x 3 colours) becomes `stem` features
        x = layers.Conv2D(stem, 2, strides=2, use_bias=False, name="stem_conv", **hidden)(x)
        x = layers.BatchNormalization(momentum=bn_momentum, name="stem_bn", **hidden)(x)
        x = layers.ReLU(name="stem_relu", **hidden)(x)
    for i, width in enumerate(widths, start=1):  # blocks: convolution, batch norm, ReLU
        if i > 1:  # halve the resolution between blocks
            x = layers.MaxPooling2D(2, name=f"block{i}_pool", **hidden)(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{i}_conv", **hidden)(x)
        x = layers.BatchNormalization(momentum=bn_momentum, name=f"block{i}_bn", **hidden)(x)
        x = layers.ReLU(name=f"block{i}_relu", **hidden)(x)
    x = layers.GlobalMaxPooling2D(name="anywhere", **hidden)(x)  # "is this digit anywhere?"
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
