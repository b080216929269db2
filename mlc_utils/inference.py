"""Using a trained model: save it with what a user needs, load it safely, predict label names.

A saved predictor is a folder with two files:

- ``model.keras``: the Keras model (architecture and weights), loaded with ``safe_mode=True``;
- ``predictor.json``: the label names, the tuned thresholds and the input contract (image shape and
  value range the model was trained on), which the ``.keras`` file alone does not carry.

Loading checks both files as saving does: a hand-edited or damaged file is refused with a
``ValueError`` that names it, never turned into a predictor that is silently wrong.
Importing this module does not import TensorFlow; saving and loading do.
"""

from __future__ import annotations

import json
import numbers
import os
import reprlib
import tempfile
import zipfile
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
#: PIL's modes for 16-bit unsigned greyscale (PNG, TIFF): white is 65535, not 255.
_SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")


def _check_path(path: Any, name: str = "path") -> Path:
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name}: expected a str or path-like, got {type(path).__name__}")
    return Path(path)


def _check_range(value_range: Any, name: str = "value_range") -> tuple[float, float]:
    if not isinstance(value_range, (tuple, list, np.ndarray)) or len(value_range) != 2:
        raise TypeError(f"{name}: expected a pair (low, high), got {value_range!r}")
    if not all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in value_range):
        raise TypeError(f"{name}: expected two numbers, got {value_range!r}")
    low, high = (float(v) for v in value_range)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name}: expected finite low < high, got {value_range!r}")
    return low, high


def _check_names(names: Any, n_labels: int, name: str = "label_names") -> tuple[str, ...]:
    names = check_label_names(names, n_labels, name)
    if not names:
        raise ValueError(f"{name}: expected at least one label name, got none")
    return tuple(names)


def _model_shapes(model: Any, where: str) -> tuple[tuple[int, ...], int]:
    """(input shape without the batch axis, number of labels) of a one-input, one-output model."""
    try:
        input_shape, output_shape, output = model.input_shape, model.output_shape, model.output
    except (AttributeError, ValueError):
        raise ValueError(f"{where}: the model has no defined input and output yet "
                         "(start it with keras.Input(shape=...))") from None
    if (
        isinstance(output, dict)  # Keras would then predict a dict of arrays
        or not isinstance(output_shape, tuple)
        or len(output_shape) != 2
        or not isinstance(output_shape[1], int)
    ):
        raise ValueError(
            f"{where}: expected one output of shape (n, n_labels), got output shape {output_shape}"
        )
    if (
        not isinstance(input_shape, tuple)
        or len(input_shape) < 2
        or not all(isinstance(v, int) for v in input_shape[1:])
    ):
        raise ValueError(f"{where}: expected one input of a fixed shape, got input shape {input_shape}")
    return tuple(input_shape[1:]), output_shape[1]


def _where(folder: Path, file: str) -> str:
    """How messages name a file of a predictor folder: ``folder: digits/predictor.json``."""
    return f"folder: {folder.absolute().name}/{file}"


@dataclass(frozen=True)
class Predictor:
    """A trained model with its label names, thresholds and input contract.

    ``predict_scores(images)`` returns (n, n_labels) probabilities, ``predict(images)`` the 0/1
    labels (``score >= threshold``) and ``predict_labels(images)`` the label names per image.
    ``images`` is one image of ``input_shape`` or a batch (n, *input_shape) of real numbers, with
    values in ``value_range``; anything else raises ``ValueError`` or ``TypeError`` (naming
    ``images``) before the model sees it.
    """

    model: Any
    label_names: tuple[str, ...]
    thresholds: np.ndarray
    input_shape: tuple[int, ...]
    value_range: tuple[float, float]

    def check_images(self, images: Any) -> np.ndarray:
        """``images`` as a float32 batch (n, *input_shape), or ``ValueError``/``TypeError`` saying why not."""
        if isinstance(images, (str, bytes, os.PathLike)):
            raise TypeError("images: expected an array of images, got a file name (use read_image first)")
        if images is None or isinstance(images, (dict, set, frozenset)):
            raise TypeError(f"images: expected an array of images, got {type(images).__name__}")
        try:
            array = np.asarray(images)
        except Exception as error:  # ragged lists and the like
            raise TypeError(f"images: expected an array of images, got {type(images).__name__}") from error
        if array.dtype.kind == "c":
            raise TypeError(f"images: expected real numbers, got complex values (dtype {array.dtype})")
        if array.dtype.kind not in "biuf":
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
        if not np.isfinite(array).all():
            raise ValueError("images: contains NaN or infinite values")
        low, high = self.value_range
        if array.min() < low or array.max() > high:
            pixels_0_255 = 0 <= low and high <= 1 < array.max() <= 255  # a [0, 1] contract, 8-bit input
            hint = " (divide by 255)" if pixels_0_255 else ""
            raise ValueError(
                f"images: values in [{float(array.min()):g}, {float(array.max()):g}], but the "
                f"contract says [{low:g}, {high:g}]{hint}"
            )
        return array.astype(np.float32)

    def predict_scores(self, images: Any) -> np.ndarray:
        """Probabilities, shape (n, n_labels), float64.

        Raises ``ValueError`` if the model returns anything but probabilities (no sigmoid at the end).
        """
        from ._tensorflow import quiet_keras  # TensorFlow is loaded already: the model is a Keras model

        batch = self.check_images(images)
        with quiet_keras():
            scores = np.asarray(self.model.predict(batch, verbose=0, batch_size=256), dtype=np.float64)
        if not (np.isfinite(scores).all() and scores.min() >= 0 and scores.max() <= 1):
            raise ValueError(
                "model: returned scores outside [0, 1] or NaN, not probabilities "
                "(its last layer needs a sigmoid activation)"
            )
        return scores

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
    shape read from the model, ``value_range`` the inputs must lie in, the format version).
    ``model`` has one input of a fixed shape and one output (n, n_labels); ``label_names`` are
    distinct, non-empty and one per output; ``thresholds`` is a scalar or one per label, in
    [0, 1]. Anything else raises ``TypeError`` or ``ValueError`` naming the argument. Files are
    written to a temporary name and renamed, so a reader never sees half a file. Returns the folder.
    """
    from ._tensorflow import keras, quiet_keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    folder = _check_path(folder, "folder")
    input_shape, n_labels = _model_shapes(model, "model")
    names = _check_names(label_names, n_labels, "label_names")
    thr = np.broadcast_to(check_thresholds(thresholds, n_labels, "thresholds"), (n_labels,))
    low, high = _check_range(value_range)
    meta = {
        "format_version": FORMAT_VERSION,
        "label_names": list(names),
        "thresholds": [float(v) for v in thr],
        "input": {"shape": list(input_shape), "dtype": "float32", "value_range": [low, high]},
        "keras_version": keras.__version__,
    }
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp, quiet_keras():
        model.save(Path(tmp) / MODEL_FILE)
        (Path(tmp) / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(Path(tmp) / MODEL_FILE, folder / MODEL_FILE)
        os.replace(Path(tmp) / META_FILE, folder / META_FILE)
    return folder


def _check_folder(folder: Any, safe_mode: Any) -> Path:
    """``load_predictor``'s arguments: ``safe_mode`` True or False, a folder holding both files."""
    if not isinstance(safe_mode, bool):
        raise TypeError(f"safe_mode: expected True or False, got {type(safe_mode).__name__}")
    folder = _check_path(folder, "folder")
    if folder.is_file():
        raise ValueError(f"folder: expected the predictor folder, got the file {folder.name!r} "
                         "(pass the folder that holds it)")
    if not folder.is_dir():
        raise FileNotFoundError(f"folder: no predictor folder named {folder.name!r}")
    for name in (MODEL_FILE, META_FILE):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"folder: no {name} in the predictor folder {folder.absolute().name!r}")
    return folder


def _read_meta(folder: Path) -> dict[str, Any]:
    """``predictor.json``, checked as ``save_predictor`` checks its arguments, as ``Predictor`` fields."""
    where = _where(folder, META_FILE)
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"{where}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{where}: not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno})") from None
    try:
        return _check_meta(meta)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from None


def _check_meta(meta: Any) -> dict[str, Any]:
    if not isinstance(meta, dict):
        kind = "null" if meta is None else type(meta).__name__
        raise TypeError(f"expected a JSON object {{...}} with label_names, thresholds and input, got {kind}")
    version = meta.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise ValueError(f"format_version is {version!r}, this mlc_utils reads {FORMAT_VERSION} only")
    missing = [key for key in ("label_names", "thresholds", "input") if key not in meta]
    if missing:
        raise ValueError(f"no {' or '.join(missing)} entry (it has {sorted(meta)})")
    names = meta["label_names"]
    if not isinstance(names, list) or not all(isinstance(label, str) for label in names):
        raise TypeError(f"label_names: expected a list of strings, got {reprlib.repr(names)}")
    names = _check_names(names, len(names), "label_names")
    thresholds = meta["thresholds"]
    if isinstance(thresholds, list) and not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in thresholds
    ):
        raise TypeError(f"thresholds: expected a list of numbers, got {reprlib.repr(thresholds)}")
    thresholds = check_thresholds(thresholds, len(names), "thresholds")
    contract = meta["input"]
    if not isinstance(contract, dict) or not {"shape", "dtype", "value_range"} <= contract.keys():
        raise ValueError(
            f"input: expected an object with shape, dtype and value_range, got {reprlib.repr(contract)}"
        )
    shape = contract["shape"]
    if not isinstance(shape, list) or not shape or not all(type(v) is int and v > 0 for v in shape):
        raise ValueError(f"input.shape: expected a list of positive integers, got {reprlib.repr(shape)}")
    if contract["dtype"] != "float32":
        raise ValueError(f"input.dtype: expected 'float32', got {contract['dtype']!r}")
    return {
        "label_names": names,
        "thresholds": np.broadcast_to(thresholds, (len(names),)).copy(),
        "input_shape": tuple(shape),
        "value_range": _check_range(contract["value_range"], "input.value_range"),
    }


def _check_keras_archive(folder: Path) -> tuple[Path, str]:
    """The model file's path and how messages name it, once it is a zip archive with config.json."""
    path, where = folder / MODEL_FILE, _where(folder, MODEL_FILE)
    try:
        with zipfile.ZipFile(path) as archive:
            has_config = "config.json" in archive.namelist()
    except zipfile.BadZipFile:
        raise ValueError(f"{where}: not a Keras model file (a .keras file is a zip archive)") from None
    if not has_config:
        raise ValueError(f"{where}: a zip archive without config.json, not a Keras model file")
    return path, where


def load_predictor(folder: str | os.PathLike, *, safe_mode: bool = True) -> Predictor:
    """Load a folder written by ``save_predictor`` as a ``Predictor``.

    ``safe_mode=True``, Keras' default, refuses code stored in the model file (a ``Lambda`` layer's
    bytecode). A missing file raises ``FileNotFoundError``; a file unlike what ``save_predictor``
    writes, or two files that disagree, raise ``ValueError`` naming the file.
    """
    from ._tensorflow import keras, quiet_keras

    folder = _check_folder(folder, safe_mode)
    meta = _read_meta(folder)  # predictor.json: label names, thresholds, input contract, checked
    path, where = _check_keras_archive(folder)
    try:
        with quiet_keras():
            model = keras.models.load_model(path, safe_mode=safe_mode)
    except Exception as error:  # safe mode's refusal of a Lambda layer, a damaged file, ...
        reason = f"{type(error).__name__}: {error}"
        raise ValueError(f"{where}: Keras could not load it ({reason})") from None
    input_shape, n_labels = _model_shapes(model, where)
    if n_labels != len(meta["label_names"]):
        raise ValueError(f"{where}: the model has {n_labels} outputs, but {META_FILE} has "
                         f"{len(meta['label_names'])} label names")
    if input_shape != meta["input_shape"]:
        raise ValueError(f"{where}: the model takes inputs of shape {input_shape}, but {META_FILE} "
                         f"says {meta['input_shape']}")
    return Predictor(model, **meta)


def write_image(path: str | os.PathLike, image: Any) -> Path:
    """Write one RGB image (h, w, 3) with values in [0, 1] as an 8-bit PNG; returns the path."""
    from PIL import Image

    path = _check_path(path)
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype.kind not in "biuf":
        raise ValueError(
            f"image: expected a real-valued (height, width, 3) array, got shape {array.shape} "
            f"and dtype {array.dtype}"
        )
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
        raise ValueError("image: expected values in [0, 1]")
    Image.fromarray(np.round(array * 255).astype(np.uint8), mode="RGB").save(path, format="PNG")
    return path


def _check_size(size: Any) -> tuple[int, int] | None:
    if size is not None and (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in size)
    ):
        raise ValueError(f"size: expected (height, width) of positive ints, got {size!r}")
    return None if size is None else (int(size[0]), int(size[1]))


def _open_image(path: Path) -> Any:
    from PIL import Image, UnidentifiedImageError

    if path.is_dir():
        raise ValueError(f"path: {path.name!r} is a folder, not an image file")
    if not path.is_file():
        raise FileNotFoundError(f"path: no image file named {path.name!r}")
    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        raise ValueError(f"path: {path.name!r} is not an image file that PIL can read "
                         "(PNG, JPEG, ...)") from None
    if getattr(image, "n_frames", 1) > 1:
        image.close()
        raise ValueError(f"path: {path.name!r} holds {image.n_frames} frames; expected a single image")
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        image.close()
        raise ValueError(f"path: {path.name!r} could not be decoded, it may be truncated ({error})") from None
    return image


def _opaque_rgb(image: Any, name: str) -> Any:
    """An 8-bit-per-channel image as PIL RGB; refuses 32-bit pixels and transparent ones."""
    if image.mode in ("I", "F") or image.mode.startswith(("I;", "F;")):
        raise ValueError(f"path: {name!r} has 32-bit or signed pixels (PIL mode {image.mode!r}) with no "
                         "fixed white level; save it as an 8- or 16-bit image")
    if image.has_transparency_data and np.asarray(image.convert("RGBA"))[..., 3].min() < 255:
        raise ValueError(f"path: {name!r} has transparent pixels, whose colour depends on what is "
                         "behind them; flatten it onto a background first")
    try:
        return image.convert("RGB")
    except ValueError as error:  # PIL modes without a conversion to RGB, such as LAB
        raise ValueError(f"path: {name!r} cannot be converted to RGB ({error})") from None


def _resize(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    height, width = size
    channels = [
        np.asarray(Image.fromarray(pixels[..., c]).resize((width, height), Image.BILINEAR))
        for c in range(pixels.shape[2])
    ]
    return np.clip(np.stack(channels, axis=-1), 0.0, 1.0).astype(np.float32)


def read_image(path: str | os.PathLike, *, size: tuple[int, int] | None = None) -> np.ndarray:
    """Read an image file as a float32 RGB array (h, w, 3) in [0, 1], as the book's models expect.

    With ``size`` (height, width), resizes bilinearly. Raises ``FileNotFoundError`` for a missing
    file and ``ValueError`` naming the file for one that is not a single image, is damaged, has
    transparent pixels, or has no fixed white level (32-bit pixels).
    """
    path, size = _check_path(path), _check_size(size)
    with _open_image(path) as image:  # one frame, fully decoded
        if image.mode in _SIXTEEN_BIT_MODES:  # 16-bit greyscale: white is 65535
            grey = np.asarray(image).astype(np.float32) / 65535.0
            pixels = np.repeat(grey[..., None], 3, axis=2)  # grey as RGB: one value, three channels
        else:  # RGB, greyscale, palette, CMYK...: PIL makes them 8-bit RGB, white is 255
            pixels = np.asarray(_opaque_rgb(image, path.name), dtype=np.float32) / 255.0
    return pixels if size is None else _resize(pixels, size)
