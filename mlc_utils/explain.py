"""What does the model look at, label by label? Grad-CAM maps and the pointing game that scores them.

Grad-CAM (Selvaraju et al., 2017) weighs each channel of a convolutional layer by how much the label's
score grows with it (the channel's mean gradient), sums the weighted channels, and keeps the positive
part: a coarse map of where the evidence *for that label* sits. One map per label, so the "7" and the
"3" of one image can light up different places. The pointing game (Zhang et al., 2018) asks whether
a map's brightest pixel falls inside the box of the thing it should point at. HiResCAM (Draelos and
Carin, 2020) keeps the gradient at each position instead of averaging it: the map is the gradient
times the activation, summed over channels, which is faithful to heads that weigh positions apart
(``Flatten`` + ``Dense``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tensorflow import keras, tf
from ._validation import check_int

__all__ = ["last_conv_layer", "grad_cam", "grad_cams", "pointing_game", "energy_pointing_game"]


def _check_model(model: Any) -> None:
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a Keras model, got {type(model).__name__}")


def last_conv_layer(model: Any) -> str:
    """The name of the model's last layer with an image-shaped (4-D) output: Grad-CAM's default."""
    _check_model(model)
    for layer in reversed(model.layers):
        if not isinstance(layer, keras.layers.InputLayer) and len(layer.output.shape) == 4:
            return layer.name
    raise ValueError(f"model: {model.name!r} has no layer with an image-shaped (4-D) output")


def _check_images(images: Any, model: Any) -> np.ndarray:
    if isinstance(images, (str, bytes)) or images is None:
        raise TypeError(f"images: expected an array of images, got {type(images).__name__}")
    x = np.asarray(images)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"images: expected numbers, got dtype {x.dtype}")
    expected = tuple(model.inputs[0].shape[1:])
    if x.ndim != 4 or tuple(x.shape[1:]) != expected:
        raise ValueError(f"images: expected shape (n, {', '.join(map(str, expected))}), got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError("images: expected at least one image, got none")
    return x.astype(np.float32)


def _label_logit_head(model: Any):
    """The output layer when it is a Dense layer with a sigmoid, so the logit can be read before it."""
    head = model.layers[-1]
    if isinstance(head, keras.layers.Dense) and getattr(head.activation, "__name__", "") == "sigmoid":
        return head
    return None


def _grad_cam_raw(model: Any, x: np.ndarray, label: int, layer: str,
                  methods: tuple = ("gradcam",)) -> dict:
    """Weighted channel sum at the layer's resolution, before ReLU: {method: shape (n, h, w)}."""
    head = _label_logit_head(model)
    # Differentiate the label's logit, as Selvaraju et al. do: a float32 sigmoid reaches exactly 1.0,
    # where its gradient, and with it the map, would vanish.
    last = head.input if head is not None else model.outputs[0]
    probe = keras.Model(model.inputs, [model.get_layer(layer).output, last])
    images = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        activations, out = probe(images, training=False)
        if head is not None:
            score = tf.linalg.matvec(tf.cast(out, head.kernel.dtype), head.kernel[:, label]) + head.bias[label]
        else:
            score = out[:, label]
    gradients = tape.gradient(score, activations)          # d score / d activation, (n, h, w, k)
    raw = {}
    if "hirescam" in methods:                               # HiResCAM: each position its own weight
        raw["hirescam"] = tf.reduce_sum(gradients * activations, axis=-1).numpy()
    if "gradcam" in methods:                                # Grad-CAM: one weight per channel, (n, k)
        weights = tf.reduce_mean(gradients, axis=(1, 2))
        raw["gradcam"] = tf.einsum("nhwk,nk->nhw", activations, tf.cast(weights, activations.dtype)).numpy()
    return raw


def grad_cam(model: Any, images: Any, label: int, *, layer: str | None = None,
             method: str = "gradcam") -> np.ndarray:
    """Grad-CAM maps of one label for a batch of images, at the images' resolution.

    ``model`` a Keras functional model with sigmoid outputs; ``images`` (n, height, width, channels)
    as the model takes them; ``label`` the output column to explain; ``layer`` the convolutional
    layer to read (default: ``last_conv_layer(model)``). Returns float32 (n, height, width): the
    positive part of the gradient-weighted channel sum, resized bilinearly to the image and divided
    by each map's maximum, so every map lies in [0, 1] (an all-zero map stays zero: no evidence).
    When the output layer is a Dense layer with a sigmoid, the gradient is that of the label's logit
    (the score before the sigmoid), as in Selvaraju et al.; a saturated sigmoid would give no map.
    ``method="hirescam"`` multiplies gradient and activation position by position and sums over
    channels (HiResCAM), instead of weighing each channel by its gradient averaged over positions.
    """
    if method not in _METHODS:
        raise ValueError(f"method: expected 'gradcam' or 'hirescam', got {method!r}")
    return grad_cams(model, images, label, layer=layer, methods=(method,))[method]


_METHODS = ("gradcam", "hirescam")


def grad_cams(model: Any, images: Any, label: int, *, layer: str | None = None,
              methods: tuple = _METHODS, resize: bool = True) -> dict:
    """``grad_cam`` for several methods from ONE forward and backward pass: ``{method: maps}``.

    Grad-CAM and HiResCAM combine the same activations and gradients differently, so drawing both
    costs about as much as drawing one. Arguments as for ``grad_cam``; ``methods`` a tuple of
    method names, each ``"gradcam"`` or ``"hirescam"``. ``resize=False`` keeps each map at the
    layer's own grid, shape (n, layer height, layer width), still positive and divided by its maximum:
    for aligning the grid with the image yourself (a layer without padding covers less than the image).
    """
    _check_model(model)
    x = _check_images(images, model)
    n_labels = int(model.outputs[0].shape[-1])
    label = check_int(label, "label", minimum=0, maximum=n_labels - 1)
    if layer is None:
        layer = last_conv_layer(model)
    elif not isinstance(layer, str):
        raise TypeError(f"layer: expected a layer name, got {type(layer).__name__}")
    elif layer not in {l.name for l in model.layers} or len(model.get_layer(layer).output.shape) != 4:
        raise ValueError(f"layer: expected the name of a layer with a 4-D output, got {layer!r}")
    if isinstance(methods, str) or not isinstance(methods, (tuple, list)):
        raise TypeError(f"methods: expected a tuple of method names, got {type(methods).__name__}")
    if not methods or any(m not in _METHODS for m in methods):
        raise ValueError(f"methods: expected one or more of 'gradcam', 'hirescam', got {methods!r}")
    if not isinstance(resize, (bool, np.bool_)):
        raise TypeError(f"resize: expected True or False, got {type(resize).__name__}")
    raw = _grad_cam_raw(model, x, label, layer, methods=tuple(methods))
    return {method: _to_image(raw[method], x.shape[1:3] if resize else None) for method in methods}


def _to_image(raw: np.ndarray, size: tuple | None) -> np.ndarray:
    """Positive part, resized bilinearly to ``size`` (None: kept), divided by each map's maximum."""
    resized = np.maximum(raw, 0)
    if size is not None:
        resized = tf.image.resize(resized[..., None], size, method="bilinear").numpy()[..., 0]
    peak = resized.reshape(len(raw), -1).max(axis=1)
    return np.divide(resized, peak[:, None, None], out=np.zeros_like(resized),
                     where=peak[:, None, None] > 0).astype(np.float32)


def pointing_game(maps: Any, boxes: Any) -> np.ndarray:
    """Does each map's brightest pixel fall inside its box? One True/False per map.

    ``maps`` (n, height, width); ``boxes`` (n, 4) integer ``(top, left, bottom, right)``, bottom and
    right exclusive (``mlc_utils.data.multidigits_boxes`` gives them for MultiDigits, per label). A
    map with several equally bright pixels scores a hit only if *all* of them are inside the box,
    and an all-zero map (no evidence) is a miss.
    """
    m, b = _check_maps_and_boxes(maps, boxes)
    flat = m.reshape(len(m), -1)
    peak = flat.max(axis=1, keepdims=True)
    inside = _inside(b, m.shape[1:]).reshape(len(m), -1)
    brightest = flat == peak
    return np.all(~brightest | inside, axis=1) & (peak[:, 0] > 0)


def energy_pointing_game(maps: Any, boxes: Any) -> np.ndarray:
    """The share of each map's positive mass that lies inside its box, in [0, 1]: one per map.

    The energy-based pointing game of Score-CAM (Wang et al., 2020): unlike the pointing game, it does
    not saturate once the peak is in the box, and a map that spreads over the image scores less.
    ``maps`` and ``boxes`` as for ``pointing_game``; negative values count as zero, and an all-zero
    map (no evidence) scores 0.
    """
    m, b = _check_maps_and_boxes(maps, boxes)
    mass = np.maximum(m, 0).reshape(len(m), -1).astype(float)
    inside = (mass * _inside(b, m.shape[1:]).reshape(len(m), -1)).sum(axis=1)
    total = mass.sum(axis=1)
    return np.divide(inside, total, out=np.zeros_like(total), where=total > 0)


def _inside(b: np.ndarray, shape: tuple) -> np.ndarray:
    """(n, height, width) masks: True inside each box."""
    rows, cols = np.arange(shape[0])[None, :, None], np.arange(shape[1])[None, None, :]
    return ((rows >= b[:, 0, None, None]) & (rows < b[:, 2, None, None]) &
            (cols >= b[:, 1, None, None]) & (cols < b[:, 3, None, None]))


def _check_maps_and_boxes(maps: Any, boxes: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(maps, (str, bytes)) or maps is None:
        raise TypeError(f"maps: expected an array of maps, got {type(maps).__name__}")
    m = np.asarray(maps)
    if m.dtype == bool or not np.issubdtype(m.dtype, np.number):
        raise TypeError(f"maps: expected numbers, got dtype {m.dtype}")
    if m.ndim != 3:
        raise ValueError(f"maps: expected shape (n, height, width), got {m.shape}")
    b = np.asarray(boxes)
    if not np.issubdtype(b.dtype, np.integer) or b.dtype == bool:
        raise TypeError(f"boxes: expected integer pixel coordinates, got dtype {b.dtype}")
    if b.shape != (m.shape[0], 4):
        raise ValueError(f"boxes: expected shape ({m.shape[0]}, 4), one box per map, got {b.shape}")
    if np.any(b[:, 0] >= b[:, 2]) or np.any(b[:, 1] >= b[:, 3]) or np.any(b < 0):
        raise ValueError("boxes: expected (top, left, bottom, right) with 0 <= top < bottom and "
                         "0 <= left < right; an absent label's box (-1) cannot be scored")
    return m, b
