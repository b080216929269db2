"""Keras models of the book: the reference CNN, an improved CNN and an MLP for tabular data.

Importing this module imports Keras (and so TensorFlow). Every layer has an explicit name, so a
model's configuration is identical in every session (the training cache key relies on it).
"""

from __future__ import annotations

from typing import Sequence

from ._tensorflow import keras  # imports TensorFlow without its start-up log lines

layers = keras.layers

from ._validation import check_choice, check_int

__all__ = ["build_reference_cnn", "build_improved_cnn", "build_mlp"]

_ACTIVATIONS = ("sigmoid", "softmax")


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
) -> keras.Model:
    """The book's reference CNN (uncompiled); 71,242 parameters at the defaults.

    Input (32, 32, 3) -> Conv2D(32, 3, relu) -> Conv2D(64, 3, relu) -> MaxPooling2D(3) -> Flatten
    -> Dense(n_labels, sigmoid). Outputs (batch, n_labels) independent probabilities.
    ``output_activation="softmax"`` builds the same network with a softmax output, for the
    chapter that shows why softmax cannot say "two labels".
    """
    shape = _check_shape(input_shape)
    _check_min_size(shape, 7, "reference CNN")  # 32 -> conv 30 -> conv 28 -> pool 9; 7 -> 1
    n_labels = check_int(n_labels, "n_labels", minimum=1)
    check_choice(output_activation, "output_activation", _ACTIVATIONS)
    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(n_labels, activation=output_activation, name="labels")(x)
    return keras.Model(inputs, outputs, name="reference_cnn")


def build_improved_cnn(
    input_shape: Sequence[int] = (32, 32, 3),
    n_labels: int = 10,
    *,
    dropout: float = 0.3,
) -> keras.Model:
    """A deeper CNN (uncompiled): two conv blocks with pooling, dropout, a hidden dense layer.

    Input (32, 32, 3) -> [Conv2D(32, 3, same) -> Conv2D(32, 3) -> MaxPooling2D(2)]
    -> [Conv2D(64, 3, same) -> Conv2D(64, 3) -> MaxPooling2D(2)] -> Flatten -> Dropout
    -> Dense(128, relu) -> Dropout -> Dense(n_labels, sigmoid). Outputs (batch, n_labels).
    """
    shape = _check_shape(input_shape)
    _check_min_size(shape, 10, "improved CNN")  # 10 -> 10 -> 8 -> pool 4 -> 4 -> 2 -> pool 1
    n_labels = check_int(n_labels, "n_labels", minimum=1)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout!r}")
    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="block1_conv1")(inputs)
    x = layers.Conv2D(32, 3, activation="relu", name="block1_conv2")(x)
    x = layers.MaxPooling2D(2, name="block1_pool")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="block2_conv1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="block2_conv2")(x)
    x = layers.MaxPooling2D(2, name="block2_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout1")(x)
    x = layers.Dense(128, activation="relu", name="hidden")(x)
    x = layers.Dropout(dropout, name="dropout2")(x)
    outputs = layers.Dense(n_labels, activation="sigmoid", name="labels")(x)
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
