"""mlc_utils.files: a label CSV and a folder of images into the indicator matrix, each dirty row
reported or refused and none lost; the tf.data pipelines read back exactly what was written; the
augmentation's visible shares against hand-computed boxes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlc_utils.files import (PROBLEMS, augment_with_boxes, files_dataset, read_labels, shards_dataset,
                             write_image_folder, write_shards)

NAMES = ["cat", "dog", "person"]
#: Five images and their labels: written once per test into tmp_path.
Y5 = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 0, 1]])


def images(n: int = 5, size: int = 8) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (rng.integers(0, 256, size=(n, size, size, 3)) / 255).astype(np.float32)


@pytest.fixture
def folder(tmp_path):
    return write_image_folder(tmp_path, images(), Y5, NAMES)


def rewrite(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def test_both_csv_shapes_read_back_the_matrix_that_was_written(folder):
    assert folder["names_csv"].read_text().splitlines()[:3] == [
        "filename,labels", "img_00000.png,cat", "img_00001.png,dog person"]
    assert folder["columns_csv"].read_text().splitlines()[1] == "img_00000.png,1,0,0"
    for key in ("names_csv", "columns_csv"):
        table = read_labels(folder[key], folder["images"], label_names=NAMES, image_size=(8, 8))
        assert np.array_equal(table.Y, Y5) and table.problems.empty
        assert table.filenames == [f"img_{i:05d}.png" for i in range(5)]
        assert table.lines == [2, 3, 4, 5, 6] and table.n_rows == 5


def test_names_are_read_in_any_order_and_column_order_does_not_matter(folder):
    rewrite(folder["names_csv"], ["filename,labels", "img_00001.png,person  dog"])
    assert read_labels(folder["names_csv"], folder["images"], label_names=NAMES).Y.tolist() == [[0, 1, 1]]
    rewrite(folder["columns_csv"], ["person,filename,cat,dog", "1,img_00001.png,0,1"])
    assert read_labels(folder["columns_csv"], folder["images"], label_names=NAMES).Y.tolist() == [[0, 1, 1]]


# The bad-input table: one dirty row each (line 3 of the CSV), what it is reported as, and whether
# the row is still used.
DIRTY_NAMES = [
    ("img_00001.png,Dog person", "wrong case", True),
    ("img_00001.png,dgo person", "unknown label", False),
    ("img_00001.png,", "no labels", False),
    (",dog", "no filename", False),
    ("img_09999.png,dog", "missing image", False),
    ("img_00000.png,cat", "duplicate", False),
    ("img_00000.png,dog", "conflicting duplicate", False),
    ("notes.png,dog", "not an image", False),
    ("small.png,dog", "wrong size", False),
]


@pytest.mark.parametrize("row, problem, used", DIRTY_NAMES, ids=[p for _, p, _ in DIRTY_NAMES])
def test_each_dirty_row_is_reported_and_nothing_is_lost(folder, row, problem, used):
    (folder["images"] / "notes.png").write_text("not a picture")
    from PIL import Image
    Image.new("RGB", (4, 4)).save(folder["images"] / "small.png")
    rewrite(folder["names_csv"], ["filename,labels", "img_00000.png,cat", row, "img_00002.png,cat dog"])
    table = read_labels(folder["names_csv"], folder["images"], label_names=NAMES, image_size=(8, 8))
    reported = table.problems
    assert problem in PROBLEMS and problem in set(reported["problem"])
    assert 3 in set(reported.loc[reported["problem"] == problem, "line"])
    assert (3 in table.lines) == used
    # nothing lost: every line is used or refused, never both
    refused = table.refused_lines()
    assert sorted(table.lines + refused) == list(range(2, 2 + table.n_rows)) == [2, 3, 4]
    assert not set(table.lines) & set(refused)
    assert len(table.Y) == len(table.filenames) == len(table.lines)
    if problem == "conflicting duplicate":  # neither row can be trusted
        assert table.lines == [4]


def test_a_typo_is_refused_with_a_suggestion_and_the_wrong_case_is_fixed(folder):
    rewrite(folder["names_csv"], ["filename,labels", "img_00000.png,dgo", "img_00001.png,PERSON"])
    table = read_labels(folder["names_csv"], folder["images"], label_names=NAMES)
    assert "did you mean 'dog'?" in table.problems["detail"].iloc[0]
    assert table.Y.tolist() == [[0, 0, 1]]


def test_empty_rows_are_kept_as_all_zeros_only_when_asked_and_still_listed(folder):
    rewrite(folder["names_csv"], ["filename,labels", "img_00000.png,", "img_00001.png,dog"])
    table = read_labels(folder["names_csv"], folder["images"], label_names=NAMES, allow_empty=True)
    assert table.Y.tolist() == [[0, 0, 0], [0, 1, 0]]
    assert table.problems["problem"].tolist() == ["no labels"] and table.problems["used"].all()


@pytest.mark.parametrize("value", ["2", "yes", "", "-1"])
def test_a_label_column_that_is_not_0_or_1_refuses_the_row(folder, value):
    rewrite(folder["columns_csv"], ["filename,cat,dog,person", f"img_00000.png,1,{value},0",
                                    "img_00001.png,0,1,1"])
    table = read_labels(folder["columns_csv"], folder["images"], label_names=NAMES)
    assert table.lines == [3] and table.problems["problem"].tolist() == ["bad value"]


def test_summary_counts_each_kind_and_names_its_lines(folder):
    rewrite(folder["names_csv"], ["filename,labels", "img_00000.png,cta", "img_00001.png,dgo",
                                  "img_00002.png,cat"])
    summary = read_labels(folder["names_csv"], folder["images"], label_names=NAMES).summary()
    assert summary.to_dict("records") == [{"problem": "unknown label", "rows": 2, "used": False, "lines": "2, 3"}]


@pytest.mark.parametrize("header, message", [
    ("name,labels", "'filename' column"),
    ("filename,cat,dog", "missing \\['person'\\]"),
    ("filename,cat,dog,person,horse", "unexpected \\['horse'\\]"),
    ("filename,labels,cat", "csv_path"),
])
def test_a_csv_it_cannot_interpret_is_refused_naming_csv_path(folder, header, message):
    rewrite(folder["names_csv"], [header, "img_00000.png,cat"])
    with pytest.raises(ValueError, match=message):
        read_labels(folder["names_csv"], folder["images"], label_names=NAMES)


@pytest.mark.parametrize("kwargs, error, argument", [
    ({"label_names": "cat dog"}, TypeError, "label_names"),
    ({"label_names": ["cat", "cat"]}, ValueError, "label_names"),
    ({"label_names": ["cat", "Cat"]}, ValueError, "label_names"),
    ({"label_names": ["big cat"]}, ValueError, "label_names"),
    ({"label_names": NAMES, "image_size": 8}, TypeError, "image_size"),
    ({"label_names": NAMES, "allow_empty": "yes"}, TypeError, "allow_empty"),
])
def test_bad_arguments_are_refused_by_name(folder, kwargs, error, argument):
    with pytest.raises(error, match=argument):
        read_labels(folder["names_csv"], folder["images"], **kwargs)


def test_bad_paths_are_refused_by_name(folder, tmp_path):
    with pytest.raises(ValueError, match="csv_path"):
        read_labels(tmp_path / "nope.csv", folder["images"], label_names=NAMES)
    with pytest.raises(TypeError, match="csv_path"):
        read_labels(3, folder["images"], label_names=NAMES)
    with pytest.raises(ValueError, match="image_folder"):
        read_labels(folder["names_csv"], tmp_path / "nope", label_names=NAMES)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="csv_path"):
        read_labels(tmp_path / "empty.csv", folder["images"], label_names=NAMES)


def test_write_image_folder_refuses_bad_input_by_name(tmp_path):
    with pytest.raises(ValueError, match="images"):
        write_image_folder(tmp_path, images() * 255, Y5, NAMES)
    with pytest.raises(ValueError, match="Y"):
        write_image_folder(tmp_path, images(), Y5[:, :2], NAMES)
    with pytest.raises(ValueError, match="folder"):
        write_image_folder(tmp_path / "nope", images(), Y5, NAMES)


def test_files_and_shards_pipelines_give_back_the_8_bit_pixels_and_labels(folder, tmp_path):
    X = images()
    paths = [str(folder["images"] / f"img_{i:05d}.png") for i in range(5)]
    batches = list(files_dataset(paths, Y5, batch_size=2, shuffle=False))
    assert [len(x) for x, _ in batches] == [2, 2, 1]
    got = np.concatenate([x.numpy() for x, _ in batches])
    assert np.abs(got - np.rint(X * 255) / 255).max() < 1e-6
    assert np.array_equal(np.concatenate([y.numpy() for _, y in batches]), Y5)
    shards = write_shards(tmp_path, paths, Y5, n_shards=2)
    assert [p.name for p in shards] == ["shard-00000-of-00002.tfrecord", "shard-00001-of-00002.tfrecord"]
    pairs = [(x, y) for xb, yb in shards_dataset(shards, 3, batch_size=2, seed=1)
             for x, y in zip(xb.numpy(), yb.numpy())]
    assert len(pairs) == 5  # each record once, in some order
    for x, y in pairs:
        i = int(np.argmin([np.abs(x - np.rint(img * 255) / 255).max() for img in X]))
        assert np.array_equal(y, Y5[i])


def test_image_size_resizes_files_of_different_sizes_and_modes_into_one_batch(tmp_path):
    from PIL import Image

    from mlc_utils.files import decode_image

    rng = np.random.default_rng(0)
    made = {"wide.png": Image.fromarray(rng.integers(0, 256, (20, 40, 3), dtype=np.uint8)),
            "grey.png": Image.fromarray(rng.integers(0, 256, (8, 8), dtype=np.uint8)),  # one channel
            "alpha.png": Image.fromarray(rng.integers(0, 256, (32, 32, 4), dtype=np.uint8))}  # RGBA
    for name, image in made.items():
        image.save(tmp_path / name)
    paths = [str(tmp_path / name) for name in made]
    x, y = next(iter(files_dataset(paths, Y5[:3], batch_size=3, shuffle=False, image_size=(16, 24))))
    assert x.shape == (3, 16, 24, 3) and np.array_equal(y.numpy(), Y5[:3])
    assert 0 <= float(np.min(x)) and float(np.max(x)) <= 1
    # the resize is TensorFlow's bilinear one, applied to the decoded [0, 1] image
    import tensorflow as tf
    wide = np.asarray(made["wide.png"], np.float32) / 255
    assert np.allclose(x[0], tf.image.resize(wide, (16, 24)).numpy(), atol=1e-6)
    # grey repeats into three equal channels
    assert np.allclose(x[1][..., 0], x[1][..., 2])
    assert decode_image(paths[0]).shape == (20, 40, 3)  # no image_size: the file's own size
    assert decode_image(paths[0], 12).shape == (12, 12, 3)  # one side: a square


def test_pipelines_refuse_bad_input_by_name(folder):
    with pytest.raises(ValueError, match="Y"):
        files_dataset(["a.png"], Y5)
    with pytest.raises(ValueError, match="batch_size"):
        files_dataset(["a.png"], Y5[:1], batch_size=0)
    with pytest.raises(ValueError, match="image_size"):
        files_dataset(["a.png"], Y5[:1], image_size=0)
    with pytest.raises(ValueError, match="image_size"):
        files_dataset(["a.png"], Y5[:1], image_size=(32, 32, 3))
    with pytest.raises(TypeError, match="image_size"):
        files_dataset(["a.png"], Y5[:1], image_size="32")
    with pytest.raises(ValueError, match="shard_paths"):
        shards_dataset([], 3)


# --- augmentation --------------------------------------------------------------------------------

def one_box_image(top: int, left: int, size: int = 16, box: int = 4):
    X = np.zeros((1, size, size, 3), np.float32)
    X[0, top:top + box, left:left + box] = 1
    boxes = np.full((1, 2, 4), -1)
    boxes[0, 0] = [top, left, top + box, left + box]
    return X, boxes


def test_flip_mirrors_about_half_of_the_images_and_their_boxes_follow():
    X1, boxes1 = one_box_image(2, 1)
    n = 400
    X, boxes = np.repeat(X1, n, axis=0), np.repeat(boxes1, n, axis=0)
    out, visible = augment_with_boxes(X, boxes, "flip", seed=3)
    mirrored = np.array([np.array_equal(image, X1[0, :, ::-1]) for image in out])
    kept = np.array([np.array_equal(image, X1[0]) for image in out])
    assert np.all(mirrored ^ kept)  # each image is either mirrored or untouched
    assert 0.4 < mirrored.mean() < 0.6  # with probability 0.5 (400 draws: 0.5 +- 0.1 is 4 sd)
    assert np.all(visible[:, 0] == 1) and np.all(np.isnan(visible[:, 1]))
    # the 4x4 box at columns 1..5 of a 16-pixel canvas lands at columns 11..15 when mirrored:
    # the boxes follow their own image, so the mirrored square sits where the flipped box says
    assert np.all(out[mirrored][:, 2:6, 11:15] == 1) and np.all(out[kept][:, 2:6, 1:5] == 1)
    again, _ = augment_with_boxes(X, boxes, "flip", seed=3)
    assert np.array_equal(out, again)  # the same seed flips the same images


def test_flipped_boxes_follow_each_image():
    rng = np.random.default_rng(0)
    X = np.zeros((50, 16, 16, 3), np.float32)
    boxes = np.full((50, 2, 4), -1)
    for i in range(50):  # a 3x3 square at a random place, recorded in its box
        top, left = rng.integers(0, 13, size=2)
        X[i, top:top + 3, left:left + 3] = 1
        boxes[i, 0] = [top, left, top + 3, left + 3]
    out, _ = augment_with_boxes(X, boxes, "flip", seed=1)
    changed = 0
    for i in range(50):  # the square of each output image is where the mirrored box would be
        rows, cols = np.nonzero(out[i, ..., 0])
        flipped = not np.array_equal(out[i], X[i])
        changed += flipped
        left = 16 - boxes[i, 0, 3] if flipped else boxes[i, 0, 1]
        assert (rows.min(), cols.min()) == (boxes[i, 0, 0], left)
    assert 0 < changed < 50


def test_shift_share_matches_a_hand_count():
    X, boxes = one_box_image(0, 0)  # a 4x4 digit in the corner
    visible = np.array([augment_with_boxes(X, boxes, "shift", 3, seed=s)[1][0, 0] for s in range(40)])
    # moved by (dy, dx) in [-3, 3]^2: rows kept = 4 - max(0, -dy), columns likewise
    possible = {(4 - max(0, -dy)) * (4 - max(0, -dx)) / 16 for dy in range(-3, 4) for dx in range(-3, 4)}
    assert set(np.round(visible, 6)) <= set(np.round(list(possible), 6))
    assert visible.min() < 1 and visible.max() == 1


def test_crop_share_and_pixels_match_a_hand_computation():
    X, boxes = one_box_image(0, 0, size=16, box=4)
    out, visible = augment_with_boxes(X, boxes, "crop", 8, seed=0)
    top, left = np.random.default_rng(0).integers(0, 9, size=(2, 1))[:, 0]
    rows, cols = max(0, 4 - top), max(0, 4 - left)
    assert visible[0, 0] == pytest.approx(rows * cols / 16)
    assert out[0].sum() == pytest.approx(3 * (2 * rows) * (2 * cols))  # kept pixels scale by 2x2


def test_constant_fill_puts_the_background_in_the_gap_and_keeps_the_boxes():
    X, boxes = one_box_image(5, 5, size=8, box=2)  # a 2x2 white digit on a black 8x8 canvas
    X = X * 0.6 + np.array([0.1, 0.2, 0.3], np.float32)  # a background colour, the digit brighter
    X[0, 3, 0] = 0.9  # one bright border pixel: the median ignores it
    for seed in range(20):
        edge, seen_edge = augment_with_boxes(X, boxes, "shift", 3, seed=seed)
        const, seen_const = augment_with_boxes(X, boxes, "shift", 3, seed=seed, fill="constant")
        np.testing.assert_array_equal(seen_edge, seen_const)  # the same moves, the same shares
        dy, dx = np.random.default_rng(seed).integers(-3, 4, size=(2, 1))[:, 0]
        gap = np.ones((8, 8), bool)  # where the moved image has no source pixel
        gap[max(dy, 0): 8 + min(dy, 0), max(dx, 0): 8 + min(dx, 0)] = False
        np.testing.assert_allclose(const[0][gap], np.tile([0.1, 0.2, 0.3], (gap.sum(), 1)))
        np.testing.assert_array_equal(const[0][~gap], edge[0][~gap])  # the content is the same
    default = augment_with_boxes(X, boxes, "shift", 3, seed=4)[0]
    np.testing.assert_array_equal(default, augment_with_boxes(X, boxes, "shift", 3, seed=4, fill="edge")[0])


@pytest.mark.parametrize("kwargs, error, argument", [
    ({"kind": "shift", "strength": 2, "fill": "reflect"}, ValueError, "fill"),
    ({"kind": "rotate"}, ValueError, "kind"),
    ({"kind": "crop", "strength": 16}, ValueError, "strength"),
    ({"kind": "shift", "strength": -1}, ValueError, "strength"),
    ({"kind": "shift", "boxes": np.zeros((2, 2, 4), int)}, ValueError, "boxes"),
])
def test_augment_refuses_bad_input_by_name(kwargs, error, argument):
    X, boxes = one_box_image(0, 0)
    args = {"images": X, "boxes": boxes, **kwargs}
    with pytest.raises(error, match=argument):
        augment_with_boxes(**args)


def test_reported_problems_are_a_dataframe_with_the_documented_columns(folder):
    table = read_labels(folder["names_csv"], folder["images"], label_names=NAMES)
    assert isinstance(table.problems, pd.DataFrame)
    assert list(table.problems.columns) == ["line", "filename", "problem", "detail", "used"]
