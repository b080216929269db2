"""Your own images: a folder of image files and a CSV of labels, read into the indicator matrix with
every dirty row reported, and ``tf.data`` pipelines that read the files (or TFRecord shards) from disk.

Two CSV shapes are read (chapter 13):

* ``filename,labels`` with the label names separated by spaces (the PASCAL / Kaggle shape);
* ``filename,<label 1>,<label 2>,...`` with one 0/1 column per label.

``read_labels`` never drops a row silently: each row of the CSV is either used (``LabelTable.lines``) or
listed in ``LabelTable.problems`` with what is wrong with it. What it cannot interpret at all (no
``filename`` column, label columns that are not the label names) it refuses with a ``ValueError``.

Also here: ``augment_with_boxes``, which moves images and the boxes of their digits together, so that
an augmentation can be measured against the labels it might make wrong. Importing this module does not
import TensorFlow; the pipeline functions do.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._validation import check_int, check_labels, check_seed

__all__ = [
    "PROBLEMS",
    "LabelTable",
    "write_image_folder",
    "read_labels",
    "decode_image",
    "files_dataset",
    "write_shards",
    "shards_dataset",
    "AUGMENTATIONS",
    "augment_with_boxes",
]

#: Every kind of dirty row ``read_labels`` reports, and whether the row is still used.
PROBLEMS: dict[str, str] = {
    "wrong case": "used: the label name matched one name up to upper/lower case, and was fixed",
    "unknown label": "refused: a label name that is not one of label_names (a typo?)",
    "bad value": "refused: a label column holds something other than 0 or 1",
    "no labels": "refused unless allow_empty=True: the row names no label",
    "no filename": "refused: the filename cell is empty",
    "duplicate": "refused: the filename appears on an earlier row (the first one is used, "
                 "unless the rows disagree)",
    "conflicting duplicate": "refused: the filename appears on several rows with different labels",
    "missing image": "refused: no such file in the image folder",
    "not an image": "refused: the file exists but cannot be read as an image",
    "wrong size": "refused: the image is not image_size pixels",
}

_FILENAME = "filename"
_LABELS = "labels"


# --- Writing a folder of images and its CSVs ------------------------------------------------------

def _check_names(label_names: Any) -> list[str]:
    if isinstance(label_names, (str, bytes)) or not hasattr(label_names, "__iter__"):
        raise TypeError(f"label_names: expected a sequence of strings, got {type(label_names).__name__}")
    names = list(label_names)
    if not names or not all(isinstance(n, str) and n.strip() == n and n and " " not in n for n in names):
        raise ValueError("label_names: expected non-empty names without spaces, got "
                         f"{names[:5]!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"label_names: expected distinct names, got {names!r}")
    if len({n.lower() for n in names}) != len(names):
        raise ValueError(f"label_names: expected names that differ in more than case, got {names!r}")
    if _FILENAME in names:
        raise ValueError(f"label_names: {_FILENAME!r} is the name of the filename column")
    return names


def _check_folder(folder: Any, name: str) -> Path:
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"{name}: expected a path, got {type(folder).__name__}")
    path = Path(folder)
    if not path.is_dir():
        raise ValueError(f"{name}: no such folder: {path.name!r}")
    return path


def _check_images(images: Any, name: str = "images") -> np.ndarray:
    array = np.asarray(images)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name}: expected an array of numbers, got dtype {array.dtype}")
    if array.ndim != 4 or array.shape[-1] != 3 or len(array) == 0:
        raise ValueError(f"{name}: expected a non-empty array (n, height, width, 3), got shape {array.shape}")
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name}: expected pixel values in [0, 1]")
    return array


def write_image_folder(folder: str | os.PathLike, images: Any, Y: Any,
                      label_names: Sequence[str]) -> dict[str, Path]:
    """Write ``images`` (n, h, w, 3) in [0, 1] as 8-bit PNG files ``img_00000.png``... under
    ``folder/images`` and their labels ``Y`` (n, L) as two CSVs in ``folder``: ``labels.csv``
    (``filename,labels``, names separated by spaces) and ``labels_wide.csv`` (one 0/1 column per
    label). Returns the paths: ``{"images": ..., "names_csv": ..., "columns_csv": ...}``."""
    import pandas as pd
    from PIL import Image

    root = _check_folder(folder, "folder")
    images = _check_images(images)
    Y = check_labels(Y, "Y").astype(int)
    names = _check_names(label_names)
    if Y.shape != (len(images), len(names)):
        raise ValueError(f"Y: expected shape {(len(images), len(names))} (images x label_names), got {Y.shape}")
    image_dir = root / "images"
    image_dir.mkdir(exist_ok=True)
    filenames = [f"img_{i:05d}.png" for i in range(len(images))]
    for filename, image in zip(filenames, images):
        pixels = np.rint(np.asarray(image, dtype=np.float64) * 255).astype(np.uint8)
        Image.fromarray(pixels, mode="RGB").save(image_dir / filename)
    label_text = [" ".join(n for n, on in zip(names, row) if on) for row in Y]
    pd.DataFrame({_FILENAME: filenames, _LABELS: label_text}).to_csv(root / "labels.csv", index=False)
    wide = pd.DataFrame(Y, columns=names)
    wide.insert(0, _FILENAME, filenames)
    wide.to_csv(root / "labels_wide.csv", index=False)
    return {"images": image_dir, "names_csv": root / "labels.csv", "columns_csv": root / "labels_wide.csv"}


# --- Reading a CSV of labels ----------------------------------------------------------------------

@dataclass
class LabelTable:
    """What ``read_labels`` read: the rows it used and the rows it did not (or fixed).

    ``filenames`` (n,) and ``Y`` (n, L) int 0/1 are the rows used, in CSV order; ``lines`` the CSV
    line of each (the header is line 1). ``problems`` is a DataFrame with one row per problem found:
    ``line``, ``filename``, ``problem`` (a key of ``PROBLEMS``), ``detail`` and ``used``.
    """

    filenames: list[str]
    Y: np.ndarray
    label_names: list[str]
    lines: list[int]
    problems: Any
    n_rows: int

    def summary(self) -> Any:
        """One row per kind of problem: how many rows, whether they are used, and their CSV lines."""
        import pandas as pd

        if self.problems.empty:
            return pd.DataFrame(columns=["problem", "rows", "used", "lines"])
        grouped = self.problems.groupby("problem", sort=False)
        return pd.DataFrame({
            "rows": grouped.size(),
            "used": grouped["used"].first(),
            "lines": grouped["line"].agg(lambda s: ", ".join(map(str, s))),
        }).reset_index()

    def refused_lines(self) -> list[int]:
        """The CSV lines of the rows that were not used."""
        return sorted(set(self.problems.loc[~self.problems["used"], "line"]))


def _csv_frame(csv_path: Any) -> Any:
    import pandas as pd

    if not isinstance(csv_path, (str, os.PathLike)):
        raise TypeError(f"csv_path: expected a path, got {type(csv_path).__name__}")
    path = Path(csv_path)
    if not path.is_file():
        raise ValueError(f"csv_path: no such file: {path.name!r}")
    try:  # every cell as text: "NA", "None" or "" must not silently become NaN
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"csv_path: not a readable CSV file ({type(error).__name__})") from error
    frame.columns = [str(c).strip() for c in frame.columns]
    if _FILENAME not in frame.columns:
        raise ValueError(f"csv_path: expected a {_FILENAME!r} column, got columns {list(frame.columns)}")
    return frame


def _layout(columns: list[str], names: list[str]) -> str:
    others = [c for c in columns if c != _FILENAME]
    if others == [_LABELS]:
        return "names"
    if sorted(others) == sorted(names):
        return "columns"
    missing, extra = sorted(set(names) - set(others)), sorted(set(others) - set(names))
    raise ValueError(
        f"csv_path: expected the columns {_FILENAME},{_LABELS} or {_FILENAME} plus one column per "
        f"label of label_names; missing {missing}, unexpected {extra}")


def _parse_names(cell: str, names: list[str], lower: dict[str, str]) -> tuple[set[str], list[tuple[str, str]]]:
    """The label set of one ``labels`` cell, and its problems as (kind, detail)."""
    found, problems = set(), []
    for token in cell.split():
        if token in names:
            found.add(token)
        elif token.lower() in lower:
            found.add(lower[token.lower()])
            problems.append(("wrong case", f"{token!r} read as {lower[token.lower()]!r}"))
        else:
            close = difflib.get_close_matches(token.lower(), list(lower), n=1)
            hint = f" (did you mean {lower[close[0]]!r}?)" if close else ""
            problems.append(("unknown label", f"{token!r}{hint}"))
    return found, problems


def _parse_columns(row: Any, names: list[str]) -> tuple[set[str], list[tuple[str, str]]]:
    found, problems = set(), []
    for name in names:
        value = str(row[name]).strip()
        if value in ("1", "1.0"):
            found.add(name)
        elif value not in ("0", "0.0"):
            problems.append(("bad value", f"{name}={value!r}"))
    return found, problems


def _image_problem(path: Path, image_size: tuple[int, int] | None) -> tuple[str, str] | None:
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        return ("missing image", "no such file")
    try:
        with Image.open(path) as image:
            image.verify()  # reads the whole file: a truncated PNG fails here
        with Image.open(path) as image:
            size = (image.height, image.width)
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        return ("not an image", type(error).__name__)
    if image_size is not None and size != tuple(image_size):
        return ("wrong size", f"{size[0]}x{size[1]}, expected {image_size[0]}x{image_size[1]}")
    return None


def read_labels(csv_path: str | os.PathLike, image_folder: str | os.PathLike, *,
                label_names: Sequence[str], image_size: tuple[int, int] | None = None,
                allow_empty: bool = False) -> LabelTable:
    """Read a label CSV (either shape, recognised by its header) and check every row against
    ``label_names`` and the files in ``image_folder``.

    Returns a ``LabelTable``: the indicator matrix ``Y`` (n_used, L) built with scikit-learn's
    ``MultiLabelBinarizer(classes=label_names)``, and every problem found (``PROBLEMS``), each with
    its CSV line. A row is used only if nothing refused it. ``image_size`` (height, width), if given,
    refuses images of another size; ``allow_empty=True`` keeps rows with no label (as all zeros).
    """
    from sklearn.preprocessing import MultiLabelBinarizer
    import pandas as pd

    names = _check_names(label_names)
    frame = _csv_frame(csv_path)
    folder = _check_folder(image_folder, "image_folder")
    if not isinstance(allow_empty, bool):
        raise TypeError(f"allow_empty: expected True or False, got {type(allow_empty).__name__}")
    if image_size is not None:
        if not (isinstance(image_size, (tuple, list)) and len(image_size) == 2):
            raise TypeError(f"image_size: expected (height, width), got {image_size!r}")
        image_size = (check_int(image_size[0], "image_size", minimum=1),
                      check_int(image_size[1], "image_size", minimum=1))
    layout = _layout(list(frame.columns), names)
    lower = {n.lower(): n for n in names}
    rows: list[dict[str, Any]] = []  # one per CSV row: line, filename, label set, problems
    for i, row in enumerate(frame.to_dict("records")):
        filename = str(row[_FILENAME]).strip()
        if layout == "names":
            labels, problems = _parse_names(str(row[_LABELS]), names, lower)
        else:
            labels, problems = _parse_columns(row, names)
        if not labels and not problems:
            problems.append(("no labels", "kept as all zeros" if allow_empty else "empty label set"))
        if not filename:
            problems.append(("no filename", "empty cell"))
        elif (image := _image_problem(folder / filename, image_size)) is not None:
            problems.append(image)
        rows.append({"line": i + 2, "filename": filename, "labels": labels, "problems": problems})
    _mark_duplicates(rows)
    usable_kinds = {"wrong case"} | ({"no labels"} if allow_empty else set())
    records, used = [], []
    for row in rows:
        ok = all(kind in usable_kinds for kind, _ in row["problems"])
        records += [{"line": row["line"], "filename": row["filename"], "problem": kind, "detail": detail,
                     "used": ok} for kind, detail in row["problems"]]
        if ok:
            used.append(row)
    binarizer = MultiLabelBinarizer(classes=names)
    Y = binarizer.fit_transform([sorted(r["labels"]) for r in used]) if used else np.zeros((0, len(names)), int)
    problems = pd.DataFrame(records, columns=["line", "filename", "problem", "detail", "used"])
    return LabelTable(filenames=[r["filename"] for r in used], Y=np.asarray(Y, dtype=np.int64),
                      label_names=names, lines=[r["line"] for r in used], problems=problems,
                      n_rows=len(rows))


def _mark_duplicates(rows: list[dict[str, Any]]) -> None:
    """A filename on several rows: keep the first if all agree, refuse them all if they do not."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["filename"]:
            by_name.setdefault(row["filename"], []).append(row)
    for filename, group in by_name.items():
        if len(group) == 1:
            continue
        if all(r["labels"] == group[0]["labels"] for r in group):
            for r in group[1:]:
                r["problems"].append(("duplicate", f"same labels as line {group[0]['line']}"))
        else:
            where = ", ".join(str(r["line"]) for r in group)
            for r in group:
                r["problems"].append(("conflicting duplicate", f"lines {where} disagree"))


# --- tf.data pipelines from files and from shards ----------------------------------------------------

def _check_image_size(image_size: Any) -> tuple[int, int] | None:
    """None, a side ``s`` (square) or ``(height, width)``: positive whole numbers."""
    if image_size is None:
        return None
    sides = image_size if isinstance(image_size, (tuple, list)) else (image_size, image_size)
    if len(sides) != 2:
        raise ValueError(f"image_size: expected a side or (height, width), got {len(sides)} numbers")
    return tuple(check_int(side, "image_size", minimum=1) for side in sides)


def decode_image(path: Any, image_size: Any = None) -> Any:
    """Read one PNG, JPEG, GIF or BMP file as a float32 (h, w, 3) tensor in [0, 1] (TensorFlow ops only).

    Grey and RGBA files become three channels. ``image_size`` (a side, or ``(height, width)``) resizes
    every image to that shape (bilinear, the aspect ratio not kept), so that files of different sizes
    can be batched; ``None`` keeps each file's own size.
    """
    from ._tensorflow import tf

    size = _check_image_size(image_size)
    pixels = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
    image = tf.image.convert_image_dtype(pixels, tf.float32)  # uint8 / 255
    return image if size is None else tf.image.resize(image, size)


def _check_batch(batch_size: Any) -> int:
    return check_int(batch_size, "batch_size", minimum=1)


def files_dataset(paths: Sequence[str], Y: Any, *, batch_size: int = 64, shuffle: bool = True,
                  cache: bool = True, seed: int = 0, image_size: Any = None) -> Any:
    """A ``tf.data.Dataset`` of (images, labels) batches read from image files.

    list -> decode in parallel -> cache (decoded images in memory) -> shuffle -> batch -> prefetch.
    ``paths`` (n,) file paths, ``Y`` (n, L) 0/1. With ``cache=False`` every epoch decodes again.
    ``image_size`` (a side, or ``(height, width)``): resize after decoding, before the cache, for
    files of different sizes (see ``decode_image``); ``None``: every file must have the same size.
    """
    from ._tensorflow import tf

    paths = [str(p) for p in paths]
    Y = check_labels(Y, "Y").astype(np.float32)
    if len(paths) != len(Y):
        raise ValueError(f"Y: expected {len(paths)} rows (one per path), got {len(Y)}")
    batch_size, seed = _check_batch(batch_size), check_seed(seed)
    size = _check_image_size(image_size)
    ds = tf.data.Dataset.from_tensor_slices((paths, Y))
    ds = ds.map(lambda path, y: (decode_image(path, size), y), num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        ds = ds.cache()  # after the first epoch, decoded images come from memory
    if shuffle:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def write_shards(folder: str | os.PathLike, paths: Sequence[str], Y: Any, *,
                 n_shards: int = 4) -> list[Path]:
    """Write the image files ``paths`` (their encoded bytes, unchanged) and labels ``Y`` (n, L) into
    ``n_shards`` TFRecord files ``shard-00000-of-0000N.tfrecord`` under ``folder``, round-robin.
    Returns the shard paths."""
    from ._tensorflow import tf

    root = _check_folder(folder, "folder")
    Y = check_labels(Y, "Y").astype(np.int64)
    if len(paths) != len(Y):
        raise ValueError(f"Y: expected {len(paths)} rows (one per path), got {len(Y)}")
    n_shards = check_int(n_shards, "n_shards", minimum=1)
    shard_paths = [root / f"shard-{k:05d}-of-{n_shards:05d}.tfrecord" for k in range(n_shards)]
    writers = [tf.io.TFRecordWriter(str(p)) for p in shard_paths]
    try:
        for i, (path, labels) in enumerate(zip(paths, Y)):
            feature = {
                "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[Path(path).read_bytes()])),
                "labels": tf.train.Feature(int64_list=tf.train.Int64List(value=labels.tolist())),
            }
            example = tf.train.Example(features=tf.train.Features(feature=feature))
            writers[i % n_shards].write(example.SerializeToString())
    finally:
        for writer in writers:
            writer.close()
    return shard_paths


def shards_dataset(shard_paths: Sequence[str | os.PathLike], n_labels: int, *, batch_size: int = 64,
                   shuffle: bool = True, seed: int = 0, shuffle_buffer: int = 1000) -> Any:
    """A ``tf.data.Dataset`` of (images, labels) batches streamed from TFRecord shards.

    The shards are read in parallel and their records interleaved; nothing is cached, so the data
    need not fit in memory (the shuffle buffer holds ``shuffle_buffer`` examples).
    """
    from ._tensorflow import tf

    n_labels = check_int(n_labels, "n_labels", minimum=1)
    batch_size, seed = _check_batch(batch_size), check_seed(seed)
    files = [str(p) for p in shard_paths]
    if not files:
        raise ValueError("shard_paths: expected at least one shard")
    spec = {"image": tf.io.FixedLenFeature([], tf.string),
            "labels": tf.io.FixedLenFeature([n_labels], tf.int64)}

    def parse(record):
        example = tf.io.parse_single_example(record, spec)
        pixels = tf.io.decode_image(example["image"], channels=3, expand_animations=False)
        return tf.image.convert_image_dtype(pixels, tf.float32), tf.cast(example["labels"], tf.float32)

    ds = tf.data.Dataset.from_tensor_slices(files)
    if shuffle:
        ds = ds.shuffle(len(files), seed=seed)
    ds = ds.interleave(tf.data.TFRecordDataset, cycle_length=min(len(files), 4),
                       num_parallel_calls=tf.data.AUTOTUNE, deterministic=not shuffle)
    ds = ds.map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    if shuffle:
        ds = ds.shuffle(check_int(shuffle_buffer, "shuffle_buffer", minimum=1), seed=seed)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# --- Augmentation, measured against the digits' boxes --------------------------------------------------

AUGMENTATIONS = ("none", "flip", "shift", "crop")


def _check_boxes(boxes: Any, n: int) -> np.ndarray:
    array = np.asarray(boxes)
    if array.ndim != 3 or array.shape[0] != n or array.shape[2] != 4 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"boxes: expected an integer array (n_images, n_labels, 4) with n_images={n}, "
                         f"got shape {array.shape} and dtype {array.dtype}")
    return array.astype(np.int64)


def augment_with_boxes(images: Any, boxes: Any, kind: str, strength: int = 0, *,
                       seed: int = 0, fill: str = "edge") -> tuple[np.ndarray, np.ndarray]:
    """Augment ``images`` (n, s, s, 3) and follow each digit's box (n, L, 4) through it.

    ``kind``: ``"none"``; ``"flip"`` (each image mirrored left-right with probability 0.5);
    ``"shift"`` by up to ``strength`` pixels each way; ``"crop"``: keep a random (s - strength)-pixel
    square and scale it back to s x s. ``fill`` (shifts only): ``"edge"`` repeats the border pixels
    into the gap; ``"constant"`` fills it with each image's background colour, taken as the median of
    its outermost ring of pixels per channel (MultiDigits draws one background colour per image).
    Returns the augmented images and ``visible`` (n, L): the share
    of each digit's box still on the canvas (1 = whole, 0 = gone), NaN where the digit is absent.
    """
    images = _check_images(images).astype(np.float32)
    n, size = len(images), images.shape[1]
    if images.shape[2] != size:
        raise ValueError(f"images: expected square images, got shape {images.shape}")
    boxes = _check_boxes(boxes, n)
    if kind not in AUGMENTATIONS:
        raise ValueError(f"kind: expected one of {AUGMENTATIONS}, got {kind!r}")
    strength = check_int(strength, "strength", minimum=0)
    if fill not in ("edge", "constant"):
        raise ValueError(f"fill: expected 'edge' or 'constant', got {fill!r}")
    if kind == "crop" and not strength < size:
        raise ValueError(f"strength: a crop keeps size - strength pixels, so expected < {size}, got {strength}")
    rng = np.random.default_rng(check_seed(seed))
    out, moved, canvas = images.copy(), boxes.astype(np.float64), (0.0, float(size))
    if kind == "flip":  # each image mirrored with probability 0.5, as RandomFlip("horizontal") does
        flipped = rng.random(n) < 0.5
        out[flipped] = images[flipped, :, ::-1]
        moved[flipped, :, 1], moved[flipped, :, 3] = size - boxes[flipped, :, 3], size - boxes[flipped, :, 1]
    elif kind == "shift" and strength:
        padded = np.pad(images, ((0, 0), (strength, strength), (strength, strength), (0, 0)), mode="edge")
        if fill == "constant":  # the gap takes each image's background: the median of its border ring
            padded[:, :strength], padded[:, -strength:] = _background(images), _background(images)
            padded[:, :, :strength], padded[:, :, -strength:] = _background(images), _background(images)
        dy, dx = rng.integers(-strength, strength + 1, size=(2, n))
        for i in range(n):  # the content moves by (dy, dx)
            out[i] = padded[i, strength - dy[i]: strength - dy[i] + size, strength - dx[i]: strength - dx[i] + size]
        moved += np.stack([dy, dx, dy, dx], axis=1)[:, None, :]
    elif kind == "crop" and strength:
        keep = size - strength
        top, left = rng.integers(0, strength + 1, size=(2, n))
        index = np.minimum((np.arange(size) * keep) // size, keep - 1)  # nearest-pixel resize
        for i in range(n):
            out[i] = images[i, top[i]: top[i] + keep, left[i]: left[i] + keep][index][:, index]
        moved -= np.stack([top, left, top, left], axis=1)[:, None, :]
        canvas = (0.0, float(keep))  # measured before scaling: the same shares
    return out, _visible(moved, canvas, boxes[..., 0] >= 0)


def _background(images: np.ndarray) -> np.ndarray:
    """Each image's background colour (n, 1, 1, 3): the median of its outermost ring, per channel."""
    ring = np.concatenate([images[:, 0], images[:, -1], images[:, 1:-1, 0], images[:, 1:-1, -1]], axis=1)
    return np.median(ring, axis=1)[:, None, None, :]


def _visible(boxes: np.ndarray, canvas: tuple[float, float], present: np.ndarray) -> np.ndarray:
    """The share of each box's area inside the square canvas [lo, hi)^2; NaN where absent."""
    lo, hi = canvas
    height = np.clip(np.minimum(boxes[..., 2], hi) - np.maximum(boxes[..., 0], lo), 0, None)
    width = np.clip(np.minimum(boxes[..., 3], hi) - np.maximum(boxes[..., 1], lo), 0, None)
    area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = height * width / area
    return np.where(present, share, np.nan)
