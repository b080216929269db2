"""Losses for imbalanced labels: binary cross-entropy with one positive weight per label.

Importing this module imports TensorFlow/Keras (``positive_weights`` itself is plain NumPy).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tensorflow import keras  # imports TensorFlow without its start-up log lines
from ._validation import _as_numeric_array, check_labels

__all__ = ["positive_weights", "WeightedBinaryCrossentropy"]

ops = keras.ops


def positive_weights(Y: Any, *, power: float = 1.0, max_weight: float | None = None) -> np.ndarray:
    """One positive weight per label from the training labels: ``(n_negative / n_positive) ** power``.

    ``Y`` (n_samples, n_labels) 0/1. With ``power=1`` a label's positives weigh as much in total as
    its negatives; ``power=0.5`` (the square root) is a milder correction, ``power=0`` gives all
    ones. ``max_weight`` caps the weights. Returns float32 of shape (n_labels,). Raises
    ``ValueError`` if a label has no positive (or no negative) example.
    """
    y = check_labels(Y, "Y")
    if isinstance(power, bool) or not isinstance(power, (int, float)) or not np.isfinite(power) or power < 0:
        raise ValueError(f"power: expected a finite number >= 0, got {power!r}")
    if max_weight is not None:
        if isinstance(max_weight, bool) or not isinstance(max_weight, (int, float)) or not max_weight >= 1:
            raise ValueError(f"max_weight: expected a number >= 1 or None, got {max_weight!r}")
    n_pos = y.sum(axis=0)
    n_neg = y.shape[0] - n_pos
    if np.any(n_pos == 0) or np.any(n_neg == 0):
        bad = np.flatnonzero((n_pos == 0) | (n_neg == 0)).tolist()
        raise ValueError(f"Y: labels {bad} have no positive or no negative example; their weight is undefined")
    weights = (n_neg / n_pos) ** float(power)
    if max_weight is not None:
        weights = np.minimum(weights, float(max_weight))
    return weights.astype(np.float32)


@keras.saving.register_keras_serializable(package="mlc_utils")
class WeightedBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy where the positives of label ``j`` weigh ``pos_weight[j]``.

    Per sample and label: ``-(w_j * y * log(p) + (1 - y) * log(1 - p))``, averaged over the labels
    (as ``keras.losses.BinaryCrossentropy`` does) and then over the batch. ``y_true`` and
    ``y_pred`` have shape (batch, n_labels); ``y_pred`` holds probabilities (clipped to
    ``[eps, 1 - eps]`` like Keras' own loss) or, with ``from_logits=True``, logits. Equals
    ``tf.nn.weighted_cross_entropy_with_logits`` averaged over the labels. All weights 1 is plain
    binary cross-entropy. The loss is serialisable: a saved model can be loaded with it.
    """

    def __init__(
        self,
        pos_weight: Any,
        *,
        from_logits: bool = False,
        name: str = "weighted_binary_crossentropy",
        reduction: str = "sum_over_batch_size",
        **kwargs: Any,
    ) -> None:
        weights = _as_numeric_array(pos_weight, "pos_weight").astype(np.float64)
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError(f"pos_weight: expected a 1-D array with one weight per label, got shape {weights.shape}")
        if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise ValueError(f"pos_weight: expected positive finite weights, got {weights.tolist()}")
        if not isinstance(from_logits, bool):
            raise TypeError(f"from_logits: expected True or False, got {type(from_logits).__name__}")
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.pos_weight = [float(w) for w in weights]
        self.from_logits = from_logits

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        w = ops.cast(ops.convert_to_tensor(self.pos_weight), y_pred.dtype)
        if self.from_logits:
            # log(sigmoid(x)) = -softplus(-x), log(1 - sigmoid(x)) = -softplus(x): stable for any x.
            log_p = -ops.softplus(-y_pred)
            log_not_p = -ops.softplus(y_pred)
        else:
            eps = keras.config.epsilon()
            p = ops.clip(y_pred, eps, 1.0 - eps)
            log_p = ops.log(p)
            log_not_p = ops.log(1.0 - p)
        per_label = -(w * y_true * log_p + (1.0 - y_true) * log_not_p)
        return ops.mean(per_label, axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"pos_weight": list(self.pos_weight), "from_logits": self.from_logits})
        return config
