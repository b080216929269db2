"""Using a trained model: save it with what a user needs, load it safely, predict label names.

A saved predictor is a folder with two files:

- ``model.keras``: the Keras model (architecture and weights), loaded with ``safe_mode=True``;
- ``predictor.json``: the label names, the tuned thresholds and the input contract (image shape and
  value range the model was trained on), which the ``.keras`` file alone does not carry.

Importing this module does not import TensorFlow; saving and loading do.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._validation import check_label_names, check_thresholds

__all__ = [
    "FORMAT_VERSION",
    "Predictor",
    "save_predictor",
    "load_predictor",
    "read_image",
    "write_image",
]

#: Version of the ``predictor.json`` layout; ``load_predictor`` refuses other versions.
FORMAT_VERSION = 1
MODEL_FILE = "model.keras"
META_FILE = "predictor.json"


@contextlib.contextmanager
def _quiet_keras():
    # Keras 3 on NumPy 2 warns inside its own code when it converts a tensor (harmless, not ours).
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"__array__ implementation doesn't accept a copy keyword",
            category=DeprecationWarning,
        )
        yield


def _check_path(path: Any, name: str = "path") -> Path:
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name}: expected a str or path-like, got {type(path).__name__}")
    return Path(path)


def _check_range(value_range: Any) -> tuple[float, float]:
    if (
        isinstance(value_range, (str, bytes))
        or not hasattr(value_range, "__len__")
        or len(value_range) != 2
    ):
        raise TypeError(f"value_range: expected a pair (low, high), got {value_range!r}")
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError) as error:
        raise TypeError(f"value_range: expected two numbers, got {value_range!r}") from error
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"value_range: expected finite low < high, got {value_range!r}")
    return low, high


@dataclass(frozen=True)
class Predictor:
    """A trained model with its label names, thresholds and input contract.

    ``predict_scores(images)`` returns (n, n_labels) probabilities, ``predict(images)`` the 0/1
    labels (``score >= threshold``) and ``predict_labels(images)`` the label names per image.
    ``images`` is one image of ``input_shape`` or a batch (n, *input_shape), with values in
    ``value_range``; anything else raises ``ValueError`` before the model sees it.
    """

    model: Any
    label_names: tuple[str, ...]
    thresholds: np.ndarray
    input_shape: tuple[int, ...]
    value_range: tuple[float, float]

    def check_images(self, images: Any) -> np.ndarray:
        """``images`` as a float32 batch (n, *input_shape), or ``ValueError``/``TypeError`` saying why not."""
        if isinstance(images, (str, bytes)):
            raise TypeError("images: expected an array of images, got a string (use read_image first)")
        try:
            array = np.asarray(images)
        except Exception as error:  # ragged lists and the like
            raise TypeError(f"images: expected an array of images, got {type(images).__name__}") from error
        if array.dtype == object or not (
            np.issubdtype(array.dtype, np.number) or array.dtype == bool
        ):
            raise TypeError(f"images: expected numbers, got dtype {array.dtype}")
        if array.shape == self.input_shape:
            array = array[None]
        if array.ndim != len(self.input_shape) + 1 or array.shape[1:] != self.input_shape:
            raise ValueError(
                f"images: expected shape {self.input_shape} or (n, *{self.input_shape}), "
                f"got {array.shape}"
            )
        if array.shape[0] == 0:
            raise ValueError("images: expected at least one image, got an empty batch")
        array = array.astype(np.float32)
        if not np.isfinite(array).all():
            raise ValueError("images: contains NaN or infinite values")
        low, high = self.value_range
        if array.min() < low or array.max() > high:
            hint = " (divide 0-255 pixels by 255)" if high <= 1 and array.max() > 1 else ""
            raise ValueError(
                f"images: values in [{array.min():g}, {array.max():g}], but training used "
                f"[{low:g}, {high:g}]{hint}"
            )
        return array

    def predict_scores(self, images: Any) -> np.ndarray:
        """Probabilities, shape (n, n_labels), float64."""
        batch = self.check_images(images)
        with _quiet_keras():
            scores = self.model.predict(batch, verbose=0, batch_size=256)
        return np.asarray(scores, dtype=np.float64)

    def predict(self, images: Any) -> np.ndarray:
        """0/1 labels, shape (n, n_labels): ``score >= threshold`` per label."""
        return (self.predict_scores(images) >= self.thresholds).astype(np.int64)

    def predict_labels(self, images: Any) -> list[list[str]]:
        """The predicted label names of each image, in label order (an empty list if none)."""
        return [
            [name for name, on in zip(self.label_names, row) if on] for row in self.predict(images)
        ]


def save_predictor(
    model: Any,
    folder: str | os.PathLike,
    *,
    label_names: Sequence[str],
    thresholds: Any = 0.5,
    value_range: Sequence[float] = (0.0, 1.0),
) -> Path:
    """Save ``model`` and what a user needs to apply it into ``folder`` (created if missing).

    Writes ``model.keras`` and ``predictor.json`` (label names, per-label thresholds, the input
    shape read from the model, ``value_range`` of the pixels in training, the format version).
    ``thresholds`` is a scalar or one per label, in [0, 1]. Files are written to a temporary
    name and renamed, so a reader never sees half a file. Returns the folder.
    """
    from ._tensorflow import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    folder = _check_path(folder, "folder")
    n_labels = int(model.output_shape[-1])
    names = check_label_names(label_names, n_labels, "label_names")
    if len(set(names)) != len(names):
        raise ValueError(f"label_names: expected distinct names, got {names}")
    thr = np.broadcast_to(check_thresholds(thresholds, n_labels, "thresholds"), (n_labels,))
    low, high = _check_range(value_range)
    input_shape = [int(v) for v in model.input_shape[1:]]
    meta = {
        "format_version": FORMAT_VERSION,
        "label_names": list(names),
        "thresholds": [float(v) for v in thr],
        "input": {"shape": input_shape, "dtype": "float32", "value_range": [low, high]},
        "keras_version": keras.__version__,
    }
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp, _quiet_keras():
        model.save(Path(tmp) / MODEL_FILE)
        (Path(tmp) / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(Path(tmp) / MODEL_FILE, folder / MODEL_FILE)
        os.replace(Path(tmp) / META_FILE, folder / META_FILE)
    return folder


def load_predictor(folder: str | os.PathLike, *, safe_mode: bool = True) -> Predictor:
    """Load a folder written by ``save_predictor`` as a ``Predictor``.

    ``safe_mode=True`` (the default, and Keras' own) refuses to run code stored in the file, such
    as the Python bytecode of a ``Lambda`` layer; only turn it off for a file you made yourself.
    Raises ``FileNotFoundError`` if a file is missing and ``ValueError`` if ``predictor.json`` is
    not a version this package understands or disagrees with the model.
    """
    from ._tensorflow import keras

    folder = _check_path(folder, "folder")
    if not isinstance(safe_mode, bool):
        raise TypeError(f"safe_mode: expected True or False, got {type(safe_mode).__name__}")
    for name in (MODEL_FILE, META_FILE):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"folder: no {name} in the predictor folder {folder.name!r}")
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"folder: predictor.json has format_version {meta.get('format_version')!r}, "
            f"this mlc_utils reads {FORMAT_VERSION}"
        )
    with _quiet_keras():
        model = keras.models.load_model(folder / MODEL_FILE, safe_mode=safe_mode)
    n_labels = int(model.output_shape[-1])
    names = tuple(check_label_names(meta["label_names"], n_labels, "label_names"))
    thresholds = np.asarray(meta["thresholds"], dtype=np.float64)
    if thresholds.shape != (n_labels,):
        raise ValueError(f"folder: predictor.json has {thresholds.size} thresholds for {n_labels} labels")
    input_shape = tuple(int(v) for v in meta["input"]["shape"])
    if input_shape != tuple(model.input_shape[1:]):
        raise ValueError(f"folder: predictor.json's input shape {input_shape} disagrees with the model")
    return Predictor(model, names, thresholds, input_shape, _check_range(meta["input"]["value_range"]))


def write_image(path: str | os.PathLike, image: Any) -> Path:
    """Write one RGB image (h, w, 3) with values in [0, 1] as an 8-bit PNG; returns the path."""
    from PIL import Image

    path = _check_path(path)
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"image: expected a numeric (height, width, 3) array, got shape {array.shape}")
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
        raise ValueError("image: expected values in [0, 1]")
    Image.fromarray(np.round(array * 255).astype(np.uint8), mode="RGB").save(path, format="PNG")
    return path


def read_image(path: str | os.PathLike, *, size: tuple[int, int] | None = None) -> np.ndarray:
    """Read an image file as a float32 RGB array (h, w, 3) in [0, 1], as the book's models expect.

    Converts any PNG/JPEG mode to RGB and divides the 0-255 pixels by 255. With ``size``
    (height, width), resizes bilinearly first. Raises ``FileNotFoundError`` for a missing file.
    """
    from PIL import Image

    path = _check_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no image file named {path.name!r}")
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        if size is not None:
            if (
                not isinstance(size, (tuple, list))
                or len(size) != 2
                or not all(isinstance(v, (int, np.integer)) and v > 0 for v in size)
            ):
                raise ValueError(f"size: expected (height, width) of positive ints, got {size!r}")
            rgb = rgb.resize((int(size[1]), int(size[0])), Image.BILINEAR)
        return np.asarray(rgb, dtype=np.float32) / 255.0
