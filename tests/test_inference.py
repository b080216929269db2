import json
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import warnings
import zipfile
import zlib
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlc_utils.inference import Predictor, load_predictor, read_image, save_predictor, write_image

NAMES = ["cat", "dog", "person"]


def tiny_model() -> "keras.Model":
    """(2, 2, 3) images -> mean colour per channel -> Dense(3, sigmoid) with hand-set weights.

    Label j's score is sigmoid(10 * (mean of channel j) - 5): above 0.5 exactly when the channel's
    mean brightness is above 0.5, so expected labels can be worked out by hand.
    """
    inputs = keras.Input(shape=(2, 2, 3), name="image")
    x = keras.layers.GlobalAveragePooling2D(name="mean_colour")(inputs)
    outputs = keras.layers.Dense(3, activation="sigmoid", name="labels")(x)
    model = keras.Model(inputs, outputs)
    model.get_layer("labels").set_weights([10 * np.eye(3, dtype="float32"), np.full(3, -5.0, "float32")])
    return model


def images() -> np.ndarray:
    batch = np.zeros((3, 2, 2, 3), dtype=np.float32)
    batch[0, ..., 0] = 0.9                      # bright red only -> cat
    batch[1, ..., 1] = 0.8                      # green and blue -> dog, person
    batch[1, ..., 2] = 0.7
    return batch                                # image 2 is black -> nothing


@pytest.mark.slow  # starts another Python
def test_round_trip_in_a_fresh_process_with_safe_mode(tmp_path):
    save_predictor(tiny_model(), tmp_path / "predictor", label_names=NAMES, thresholds=0.5)
    np.save(tmp_path / "images.npy", images())
    script = textwrap.dedent(
        """
        import json, os, sys
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import numpy as np
        from mlc_utils.inference import load_predictor
        predictor = load_predictor(sys.argv[1], safe_mode=True)
        print(json.dumps(predictor.predict_labels(np.load(sys.argv[2]))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "predictor"), str(tmp_path / "images.npy")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [["cat"], ["dog", "person"], []]


def test_metadata_file_holds_names_thresholds_and_input_contract(tmp_path):
    save_predictor(tiny_model(), tmp_path, label_names=NAMES, thresholds=[0.2, 0.5, 0.9])
    meta = json.loads((tmp_path / "predictor.json").read_text())
    assert meta["label_names"] == NAMES
    assert meta["thresholds"] == [0.2, 0.5, 0.9]
    assert meta["input"]["shape"] == [2, 2, 3]
    assert meta["input"]["value_range"] == [0.0, 1.0]


def test_per_label_thresholds_use_greater_or_equal(tmp_path):
    model = tiny_model()
    image = np.full((1, 2, 2, 3), 0.5, dtype=np.float32)  # every score is sigmoid(0) = 0.5 exactly
    save_predictor(model, tmp_path, label_names=NAMES, thresholds=[0.5, 0.51, 0.4])
    predictor = load_predictor(tmp_path)
    np.testing.assert_allclose(predictor.predict_scores(image), 0.5, atol=1e-6)
    assert predictor.predict_labels(image) == [["cat", "person"]]
    assert predictor.predict_labels(image[0]) == [["cat", "person"]]  # one image without a batch axis


def test_lambda_layer_is_refused_in_safe_mode(tmp_path):
    inputs = keras.Input(shape=(2, 2, 3))
    x = keras.layers.Lambda(lambda t: t * 2.0)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="sigmoid")(x))
    save_predictor(model, tmp_path, label_names=NAMES)
    with pytest.raises(ValueError, match="(?i)lambda|safe_mode"):
        load_predictor(tmp_path)
    assert load_predictor(tmp_path, safe_mode=False).predict(images()).shape == (3, 3)  # your own file


def test_images_outside_the_training_range_are_refused(tmp_path):
    save_predictor(tiny_model(), tmp_path, label_names=NAMES)
    predictor = load_predictor(tmp_path)
    with pytest.raises(ValueError, match="images.*255"):
        predictor.predict_labels(images() * 255)
    with pytest.raises(ValueError, match="images.*shape"):
        predictor.predict_labels(np.zeros((1, 3, 3, 3)))
    with pytest.raises(ValueError, match="images.*NaN"):
        predictor.predict_labels(np.full((1, 2, 2, 3), np.nan))
    with pytest.raises(TypeError, match="images"):
        predictor.predict_labels("photo.png")


def test_the_pixel_hint_only_for_a_0_1_contract_and_pixel_like_values():
    def refusal(value_range, value):
        predictor = Predictor(None, ("a", "b"), np.array([0.5, 0.5]), (2,), value_range)
        with pytest.raises(ValueError, match=r"^images: values in") as caught:
            predictor.check_images(np.array([[value, 0.0]]))
        return str(caught.value)

    assert refusal((0.0, 1.0), 255.0).endswith("but the contract says [0, 1] (divide by 255)")
    assert refusal((0.0, 1.0), 3.5).endswith("(divide by 255)")
    # Standardised features against a contract of raw ones in [-1, 1]: no talk of pixels.
    assert refusal((-1.0, 1.0), 3.5) == "images: values in [0, 3.5], but the contract says [-1, 1]"
    assert refusal((0.0, 1.0), 1000.0) == "images: values in [0, 1000], but the contract says [0, 1]"


def test_save_validates_its_arguments(tmp_path):
    model = tiny_model()
    with pytest.raises(ValueError, match="label_names"):
        save_predictor(model, tmp_path, label_names=["cat", "dog"])
    with pytest.raises(ValueError, match="label_names"):
        save_predictor(model, tmp_path, label_names=["cat", "cat", "dog"])
    with pytest.raises(ValueError, match="thresholds"):
        save_predictor(model, tmp_path, label_names=NAMES, thresholds=1.5)
    with pytest.raises(TypeError, match="model"):
        save_predictor("model.keras", tmp_path, label_names=NAMES)
    with pytest.raises(ValueError, match="value_range"):
        save_predictor(model, tmp_path, label_names=NAMES, value_range=(1, 0))


def test_load_refuses_missing_files_and_unknown_versions(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.keras"):
        load_predictor(tmp_path)
    save_predictor(tiny_model(), tmp_path, label_names=NAMES)
    meta = json.loads((tmp_path / "predictor.json").read_text())
    meta["format_version"] = 99
    (tmp_path / "predictor.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="format_version"):
        load_predictor(tmp_path)


def test_png_round_trip_loses_at_most_half_a_grey_level(tmp_path):
    image = np.random.default_rng(0).random((5, 7, 3)).astype(np.float32)
    path = write_image(tmp_path / "image.png", image)
    back = read_image(path)
    assert back.shape == (5, 7, 3) and back.dtype == np.float32
    assert np.abs(back - image).max() <= 0.5 / 255 + 1e-6
    assert read_image(path, size=(10, 14)).shape == (10, 14, 3)


def test_read_image_converts_grey_png_to_rgb(tmp_path):
    from PIL import Image

    Image.fromarray(np.full((3, 4), 51, dtype=np.uint8), mode="L").save(tmp_path / "grey.png")
    np.testing.assert_allclose(read_image(tmp_path / "grey.png"), 0.2, atol=1e-6)
    with pytest.raises(FileNotFoundError):
        read_image(tmp_path / "missing.png")


# ---------------------------------------------------------------------------------------------
# Bad files and bad inputs (the 45 cases and more): each is refused with a ValueError or
# TypeError (FileNotFoundError for a missing file) naming the argument or the file and what was
# expected, or gives the right answer. The regular expressions are the meaningful part of each
# message, so that removing a check makes its case fail.
# ---------------------------------------------------------------------------------------------

RIGHT = [["cat"], ["dog", "person"], []]  # predict_labels(images()) of tiny_model at 0.5


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A valid predictor folder, made once; tests edit copies of it."""
    return save_predictor(tiny_model(), tmp_path_factory.mktemp("saved") / "digits", label_names=NAMES)


@pytest.fixture
def folder(saved, tmp_path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "digits"))


def valid_meta(folder: Path) -> dict:
    return json.loads((folder / "predictor.json").read_text())


DELETE = object()  # as a value in edited(...): remove the key


def edited(**changes):
    """An edit of predictor.json: top-level keys set (or deleted where the value is DELETE)."""
    def edit(meta):
        for key, value in changes.items():
            if value is DELETE:
                del meta[key]
            else:
                meta[key] = value
        return meta
    return edit


def edited_input(**changes):
    def edit(meta):
        for key, value in changes.items():
            if value is DELETE:
                del meta["input"][key]
            else:
                meta["input"][key] = value
        return meta
    return edit


NAN = float("nan")

# (id, edit of the parsed predictor.json, or the raw text/bytes to write instead, expected message)
BAD_META = [
    ("threshold 2.0", edited(thresholds=[2.0, 0.5, 0.5]), r"thresholds: expected values in \[0, 1\], got \[2\.0"),
    ("threshold -0.1", edited(thresholds=[0.5, -0.1, 0.5]), r"thresholds: expected values in \[0, 1\]"),
    ("threshold NaN literal", edited(thresholds=[NAN, 0.5, 0.5]), r"thresholds: expected values in \[0, 1\], got \[nan"),
    ("threshold Infinity literal", edited(thresholds=[float("inf"), 0.5, 0.5]), r"thresholds: expected values in \[0, 1\]"),
    ("threshold string 'nan'", edited(thresholds=["nan", 0.5, 0.5]), r"thresholds: expected a list of numbers, got \['nan'"),
    ("threshold string '0.5'", edited(thresholds=["0.5", 0.5, 0.5]), r"thresholds: expected a list of numbers"),
    ("threshold null", edited(thresholds=[None, 0.5, 0.5]), r"thresholds: expected a list of numbers, got \[None"),
    ("threshold true among numbers", edited(thresholds=[True, 0.5, 0.5]), r"thresholds: expected a list of numbers"),
    ("thresholds all booleans", edited(thresholds=[True, False, True]), r"thresholds: expected a list of numbers"),
    ("thresholds nested list", edited(thresholds=[[0.5, 0.5, 0.5]]), r"thresholds: expected a list of numbers"),
    ("thresholds null", edited(thresholds=None), r"thresholds: expected a number or an array of 3 numbers, got NoneType"),
    ("thresholds string", edited(thresholds="0.5"), r"thresholds: expected a number or an array of 3 numbers, got str"),
    ("thresholds boolean", edited(thresholds=True), r"thresholds: expected a number .*boolean"),
    ("thresholds object", edited(thresholds={"cat": 0.5}), r"thresholds: expected an array-like of numbers, got dict"),
    ("2 thresholds for 3 names", edited(thresholds=[0.5, 0.5]), r"thresholds: expected a scalar or one value per label \(3\), got 2"),
    ("4 thresholds for 3 names", edited(thresholds=[0.5] * 4), r"thresholds: expected a scalar or one value per label \(3\), got 4"),
    ("no thresholds", edited(thresholds=[]), r"thresholds: expected a scalar or one value per label \(3\), got 0"),
    ("thresholds key missing", edited(thresholds=DELETE), r"no thresholds entry"),
    ("label_names key missing", edited(label_names=DELETE), r"no label_names entry"),
    ("input key missing", edited(input=DELETE), r"no input entry"),
    ("all keys missing", lambda meta: {"format_version": 1}, r"no label_names or thresholds or input entry"),
    ("label_names a string", edited(label_names="cat,dog,person"), r"label_names: expected a list of strings, got 'cat,dog,person'"),
    ("label_names numbers", edited(label_names=[1, 2, 3]), r"label_names: expected a list of strings, got \[1, 2, 3\]"),
    ("label name null", edited(label_names=["cat", None, "dog"]), r"label_names: expected a list of strings"),
    ("label name nested list", edited(label_names=[["cat"], "dog", "person"]), r"label_names: expected a list of strings"),
    ("label_names an object", edited(label_names={"0": "cat", "1": "dog", "2": "person"}), r"label_names: expected a list of strings"),
    ("label names duplicated", edited(label_names=["cat", "cat", "dog"]), r"label_names: expected distinct names, got \['cat'\]"),
    ("label name empty", edited(label_names=["cat", "", "person"]), r"label_names: expected non-empty names, got '' at position 1"),
    ("label name blank", edited(label_names=["cat", "dog", "  "]), r"label_names: expected non-empty names, got '  ' at position 2"),
    ("label_names empty", edited(label_names=[], thresholds=[]), r"label_names: expected at least one label name"),
    ("format_version 99", edited(format_version=99), r"format_version is 99, this mlc_utils reads 1 only"),
    ("format_version missing", edited(format_version=DELETE), r"format_version is None"),
    ("format_version a string", edited(format_version="1"), r"format_version is '1'"),
    ("format_version true", edited(format_version=True), r"format_version is True"),
    ("format_version 1.0", edited(format_version=1.0), r"format_version is 1\.0"),
    ("top level a list", lambda meta: [meta], r"expected a JSON object \{\.\.\.\} with label_names, thresholds and input, got list"),
    ("top level null", lambda meta: None, r"expected a JSON object .* got null"),
    ("top level a number", lambda meta: 1, r"expected a JSON object .* got int"),
    ("invalid JSON", lambda meta: '{"format_version": 1, "label_names": ["cat",', r"not valid JSON \(Expecting value at line 1"),
    ("empty file", lambda meta: "", r"not valid JSON"),
    ("trailing comma", lambda meta: json.dumps(meta)[:-1] + ",}", r"not valid JSON"),
    ("not UTF-8", lambda meta: b"\xff\xfe{}", r"not UTF-8 text"),
    ("input a list", edited(input=[[2, 2, 3], "float32", [0, 1]]), r"input: expected an object with shape, dtype and value_range"),
    ("input without value_range", edited_input(value_range=DELETE), r"input: expected an object with shape, dtype and value_range"),
    ("input without shape", edited_input(shape=DELETE), r"input: expected an object with shape"),
    ("input shape of strings", edited_input(shape=["2", 2, 3]), r"input\.shape: expected a list of positive integers, got \['2'"),
    ("input shape of floats", edited_input(shape=[2.0, 2, 3]), r"input\.shape: expected a list of positive integers"),
    ("input shape with 0", edited_input(shape=[0, 2, 3]), r"input\.shape: expected a list of positive integers"),
    ("input shape with true", edited_input(shape=[True, 2, 3]), r"input\.shape: expected a list of positive integers"),
    ("input shape empty", edited_input(shape=[]), r"input\.shape: expected a list of positive integers, got \[\]"),
    ("input shape null", edited_input(shape=None), r"input\.shape: expected a list of positive integers, got None"),
    ("input dtype uint8", edited_input(dtype="uint8"), r"input\.dtype: expected 'float32', got 'uint8'"),
    ("value_range reversed", edited_input(value_range=[1, 0]), r"input\.value_range: expected finite low < high"),
    ("value_range strings", edited_input(value_range=["0", "1"]), r"input\.value_range: expected two numbers"),
    ("value_range booleans", edited_input(value_range=[False, True]), r"input\.value_range: expected two numbers"),
    ("value_range one number", edited_input(value_range=[0]), r"input\.value_range: expected a pair \(low, high\)"),
    ("value_range null", edited_input(value_range=None), r"input\.value_range: expected a pair"),
    ("value_range NaN", edited_input(value_range=[0, NAN]), r"input\.value_range: expected finite low < high"),
]


@pytest.mark.parametrize("edit, match", [case[1:] for case in BAD_META], ids=[case[0] for case in BAD_META])
def test_load_refuses_a_bad_predictor_json_naming_the_file(folder, edit, match):
    result = edit(valid_meta(folder))
    path = folder / "predictor.json"
    if isinstance(result, bytes):
        path.write_bytes(result)
    elif isinstance(result, str):
        path.write_text(result)
    else:
        path.write_text(json.dumps(result))
    with pytest.raises(ValueError, match=r"^folder: digits/predictor\.json: " + match) as caught:
        load_predictor(folder)
    assert str(folder.parent) not in str(caught.value)  # short: the folder's name, not its path


# predictor.json edits that are still valid: the right predictor, not an error.
GOOD_META = [
    ("extra keys are ignored", edited(notes="tuned on val", validation_f1=0.93), None),
    ("extra input keys are ignored", edited_input(comment="RGB, 0-1"), None),
    ("keras_version missing", edited(keras_version=DELETE), None),
    ("one threshold for all labels", edited(thresholds=0.75), [0.75, 0.75, 0.75]),
    ("integer thresholds 0 and 1", edited(thresholds=[0, 1, 1]), [0.0, 1.0, 1.0]),
]


@pytest.mark.parametrize("edit, thresholds", [case[1:] for case in GOOD_META], ids=[case[0] for case in GOOD_META])
def test_load_accepts_valid_edits_of_predictor_json(folder, edit, thresholds):
    (folder / "predictor.json").write_text(json.dumps(edit(valid_meta(folder))))
    predictor = load_predictor(folder)
    assert predictor.label_names == tuple(NAMES)
    assert predictor.input_shape == (2, 2, 3) and predictor.value_range == (0.0, 1.0)
    if thresholds is None:
        np.testing.assert_array_equal(predictor.thresholds, [0.5, 0.5, 0.5])
        assert predictor.predict_labels(images()) == RIGHT
    else:
        np.testing.assert_array_equal(predictor.thresholds, thresholds)
        assert predictor.thresholds.shape == (3,) and predictor.thresholds.flags.writeable


def other_model(n_labels: int = 3, shape=(2, 2, 3)) -> "keras.Model":
    inputs = keras.Input(shape=shape)
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(n_labels, activation="sigmoid")(x))


def write_model_zip(path: Path, model) -> None:
    with warnings.catch_warnings():  # Keras 3 on NumPy 2, inside Keras (as in mlc_utils.inference)
        warnings.filterwarnings("ignore", message=r"__array__ implementation", category=DeprecationWarning)
        model.save(path.with_name("other.keras"))
    os.replace(path.with_name("other.keras"), path)


def two_outputs() -> "keras.Model":
    inputs = keras.Input(shape=(2, 2, 3))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, [keras.layers.Dense(3)(x), keras.layers.Dense(3)(x)])


def zip_with(**files):
    def write(path):
        with zipfile.ZipFile(path, "w") as archive:
            for name, text in files.items():
                archive.writestr(name.replace("_json", ".json"), text)
    return write


BAD_MODEL_FILE = [
    ("not a zip", lambda path: path.write_text("not a model"), r"model\.keras: not a Keras model file \(a \.keras file is a zip archive\)"),
    ("empty file", lambda path: path.write_bytes(b""), r"model\.keras: not a Keras model file"),
    ("an HDF5 file", lambda path: path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100)), r"model\.keras: not a Keras model file"),
    ("empty zip", zip_with(), r"model\.keras: a zip archive without config\.json"),
    ("zip of other files", zip_with(readme_txt="hello"), r"model\.keras: a zip archive without config\.json"),
    ("config.json not JSON", zip_with(config_json="{nope", metadata_json="{}"), r"model\.keras: Keras could not load it"),
    ("config.json of no model", zip_with(config_json='{"class_name": "Nothing", "config": {}}', metadata_json="{}"),
     r"model\.keras: Keras could not load it"),
    ("a model with 4 outputs", lambda path: write_model_zip(path, other_model(4)),
     r"model\.keras: the model has 4 outputs, but predictor\.json has 3 label names"),
    ("a model with 2 outputs", lambda path: write_model_zip(path, other_model(2)),
     r"model\.keras: the model has 2 outputs, but predictor\.json has 3 label names"),
    ("a model of other images", lambda path: write_model_zip(path, other_model(3, (4, 4, 3))),
     r"model\.keras: the model takes inputs of shape \(4, 4, 3\), but predictor\.json says \(2, 2, 3\)"),
    ("a model with two output layers", lambda path: write_model_zip(path, two_outputs()),
     r"model\.keras: expected one output of shape \(n, n_labels\)"),
]


@pytest.mark.parametrize("write, match", [case[1:] for case in BAD_MODEL_FILE], ids=[case[0] for case in BAD_MODEL_FILE])
def test_load_refuses_a_bad_model_file_naming_it(folder, write, match):
    write(folder / "model.keras")
    with pytest.raises(ValueError, match=r"^folder: digits/" + match):
        load_predictor(folder)


def test_load_refuses_missing_folders_and_files_naming_them(folder, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"folder: no predictor folder named 'nowhere'"):
        load_predictor(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"folder: expected the predictor folder, got the file 'model\.keras'"):
        load_predictor(folder / "model.keras")
    (folder / "predictor.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"folder: no predictor\.json in the predictor folder 'digits'"):
        load_predictor(folder)
    (folder / "model.keras").unlink()
    (folder / "model.keras").mkdir()
    with pytest.raises(FileNotFoundError, match=r"folder: no model\.keras in the predictor folder 'digits'"):
        load_predictor(folder)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"folder": None}, TypeError, r"folder: expected a str or path-like, got NoneType"),
        ({"folder": b"digits"}, TypeError, r"folder: expected a str or path-like, got bytes"),
        ({"safe_mode": "yes"}, TypeError, r"safe_mode: expected True or False, got str"),
        ({"safe_mode": None}, TypeError, r"safe_mode: expected True or False, got NoneType"),
    ],
    ids=["folder None", "folder bytes", "safe_mode a string", "safe_mode None"],
)
def test_load_refuses_bad_arguments(folder, kwargs, error, match):
    kwargs = {"folder": folder, **kwargs}
    with pytest.raises(error, match=match):
        load_predictor(kwargs.pop("folder"), **kwargs)


def variable_size_model() -> "keras.Model":
    inputs = keras.Input(shape=(None, None, 3))
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    return keras.Model(inputs, keras.layers.Dense(3, activation="sigmoid")(x))


def dict_output() -> "keras.Model":
    inputs = keras.Input(shape=(2, 2, 3))
    return keras.Model(inputs, {"labels": keras.layers.Dense(3, activation="sigmoid")(keras.layers.Flatten()(inputs))})


BAD_SAVE = [
    ("empty label name", {"label_names": ["cat", "", "person"]}, ValueError, r"label_names: expected non-empty names, got ''"),
    ("blank label name", {"label_names": ["cat", " \t", "person"]}, ValueError, r"label_names: expected non-empty names"),
    ("label_names a set", {"label_names": {"cat", "dog", "person"}}, TypeError, r"label_names: expected an ordered sequence"),
    ("label_names None", {"label_names": None}, TypeError, r"label_names: expected a sequence of 3 names"),
    ("thresholds NaN", {"thresholds": [0.5, NAN, 0.5]}, ValueError, r"thresholds: expected values in \[0, 1\]"),
    ("thresholds None", {"thresholds": None}, TypeError, r"thresholds: expected a number"),
    ("value_range strings", {"value_range": ("0", "1")}, TypeError, r"value_range: expected two numbers"),
    ("value_range booleans", {"value_range": (False, True)}, TypeError, r"value_range: expected two numbers"),
    ("value_range a set", {"value_range": {0, 1}}, TypeError, r"value_range: expected a pair \(low, high\)"),
    ("value_range infinite", {"value_range": (0, float("inf"))}, ValueError, r"value_range: expected finite low < high"),
    ("two outputs", {"model": two_outputs}, ValueError, r"model: expected one output of shape \(n, n_labels\)"),
    ("outputs in a dict", {"model": dict_output}, ValueError, r"model: expected one output of shape \(n, n_labels\), got output shape \(None, 3\)"),
    ("variable image size", {"model": variable_size_model}, ValueError,
     r"model: expected one input of a fixed shape, got input shape \(None, None, None, 3\)"),
    ("unbuilt Sequential", {"model": lambda: keras.Sequential([keras.layers.Dense(3)])}, ValueError,
     r"model: the model has no defined input and output yet"),
]


@pytest.mark.parametrize("changes, error, match", [case[1:] for case in BAD_SAVE], ids=[case[0] for case in BAD_SAVE])
def test_save_refuses_bad_arguments(tmp_path, changes, error, match):
    kwargs = {"label_names": NAMES, **changes}
    model = kwargs.pop("model", tiny_model)()
    with pytest.raises(error, match=match):
        save_predictor(model, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.fixture(scope="module")
def predictor(saved) -> Predictor:
    return load_predictor(saved)


BAD_IMAGES = [
    ("complex", images().astype(np.complex64), TypeError, r"images: expected real numbers, got complex values \(dtype complex64\)"),
    ("complex, zero imaginary part", images() + 0j, TypeError, r"images: expected real numbers"),
    ("object array", images().astype(object), TypeError, r"images: expected numbers, got dtype object"),
    ("strings array", np.full((1, 2, 2, 3), "0.5"), TypeError, r"images: expected numbers, got dtype <U3"),
    ("datetimes", np.zeros((1, 2, 2, 3), "datetime64[s]"), TypeError, r"images: expected numbers, got dtype datetime64"),
    ("ragged list", [images()[0], images()[0, :1]], TypeError, r"images: expected an array of images, got list"),
    ("list with None", [[[[0.5, None, 0.5]] * 2] * 2], TypeError, r"images: expected numbers, got dtype object"),
    ("None", None, TypeError, r"images: expected an array of images, got NoneType"),
    ("dict", {"image": images()}, TypeError, r"images: expected an array of images, got dict"),
    ("file name", "photo.png", TypeError, r"images: expected an array of images, got a file name \(use read_image"),
    ("Path", Path("photo.png"), TypeError, r"images: .*use read_image"),
    ("NaN", np.full((1, 2, 2, 3), np.nan), ValueError, r"images: contains NaN or infinite values"),
    ("infinity", np.where(images() > 0, np.inf, 0), ValueError, r"images: contains NaN or infinite values"),
    ("0-255 floats", images() * 255, ValueError, r"images: values in \[0, 229\.5\], but the contract says \[0, 1\] \(divide by 255"),
    ("0-255 uint8", (images() * 255).astype(np.uint8), ValueError, r"images: values in \[0, 229\], .*\(divide by 255\)"),
    ("negative values", images() - 1, ValueError, r"images: values in \[-1, -0\.1\], but the contract says \[0, 1\]"),
    ("huge float64 (no overflow warning)", np.full((1, 2, 2, 3), 1e300), ValueError, r"images: values in \[1e\+300"),
    ("wrong size", np.zeros((1, 3, 3, 3)), ValueError, r"images: expected shape \(2, 2, 3\) or \(n, \*\(2, 2, 3\)\), got \(1, 3, 3, 3\)"),
    ("channels first", np.zeros((1, 3, 2, 2)), ValueError, r"images: expected shape .* got \(1, 3, 2, 2\)"),
    ("greyscale (no channel axis)", np.zeros((2, 2)), ValueError, r"images: expected shape .* got \(2, 2\)"),
    ("extra axis", np.zeros((1, 1, 2, 2, 3)), ValueError, r"images: expected shape .* got \(1, 1, 2, 2, 3\)"),
    ("scalar", 0.5, ValueError, r"images: expected shape .* got \(\)"),
    ("empty batch", np.zeros((0, 2, 2, 3)), ValueError, r"images: expected at least one image, got an empty batch"),
]


@pytest.mark.parametrize("bad, error, match", [case[1:] for case in BAD_IMAGES], ids=[case[0] for case in BAD_IMAGES])
def test_predict_refuses_bad_images_naming_the_argument(predictor, bad, error, match):
    with pytest.raises(error, match=match):
        predictor.predict(bad)


GOOD_IMAGES = [
    ("float32 batch", images()),
    ("float64", images().astype(np.float64)),
    ("float16", images().astype(np.float16)),
    ("nested Python lists", images().tolist()),
    ("list of images", list(images())),
]


@pytest.mark.parametrize("good", [case[1] for case in GOOD_IMAGES], ids=[case[0] for case in GOOD_IMAGES])
def test_predict_accepts_any_real_array_of_the_right_shape(predictor, good):
    assert predictor.predict_labels(good) == RIGHT


def test_predict_accepts_booleans_and_0_1_integers(predictor):
    on = np.zeros((2, 2, 2, 3), dtype=bool)
    on[0, ..., 0] = True
    assert predictor.predict_labels(on) == [["cat"], []]
    assert predictor.predict_labels(on.astype(np.uint8)) == [["cat"], []]


def test_predict_refuses_a_model_that_does_not_return_probabilities(tmp_path):
    model = tiny_model()
    linear = keras.Model(model.input, keras.layers.Dense(3, name="logits")(model.get_layer("mean_colour").output))
    linear.get_layer("logits").set_weights([10 * np.eye(3, dtype="float32"), np.full(3, -5.0, "float32")])
    predictor = load_predictor(save_predictor(linear, tmp_path, label_names=NAMES))
    with pytest.raises(ValueError, match=r"model: returned scores outside \[0, 1\].*sigmoid"):
        predictor.predict(images())


def png16(path: Path, pixels: np.ndarray, color_type: int) -> Path:
    """Write a 16-bit PNG by hand (PIL writes 16-bit greyscale only): color type 0 grey, 2 RGB."""
    height, width = pixels.shape[:2]
    raw = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in pixels)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def pil_image(mode, pixels, **info):
    from PIL import Image

    def write(path):
        image = Image.fromarray(np.asarray(pixels)) if mode is None else Image.new(mode, (len(pixels), 1))
        if mode is not None:
            image.putdata(pixels)
        image.info.update(info)
        image.save(path, **({"transparency": info["transparency"]} if "transparency" in info else {}))
        return path
    return write


def palette_png(path):
    from PIL import Image

    image = Image.new("P", (2, 1))
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.putdata([0, 1])
    image.save(path)
    return path


# (id, file name, writer, expected (h, w, 3) pixels)
GOOD_FILES = [
    ("16-bit grey PNG", "grey16.png", lambda p: png16(p, np.array([[0, 32768, 65535]], np.uint16), 0),
     np.repeat(np.array([[0, 32768 / 65535, 1.0]])[..., None], 3, axis=2)),
    ("16-bit grey PNG, 61380 is not white", "grey16b.png", lambda p: png16(p, np.array([[61380]], np.uint16), 0),
     np.full((1, 1, 3), 61380 / 65535)),
    ("16-bit RGB PNG", "rgb16.png", lambda p: png16(p, np.array([[[65535, 32768, 0]]], np.uint16), 2),
     np.array([[[1.0, 0.5, 0.0]]])),
    ("16-bit big-endian TIFF", "grey16.tif", lambda p: pil_image(None, np.array([[0, 65535]], ">u2"))(p),
     np.array([[[0.0] * 3, [1.0] * 3]])),
    ("palette PNG", "palette.png", palette_png, np.array([[[1.0, 0, 0], [0, 0, 1.0]]])),
    ("opaque RGBA PNG", "rgba.png", pil_image("RGBA", [(255, 0, 0, 255), (0, 0, 255, 255)]), np.array([[[1.0, 0, 0], [0, 0, 1.0]]])),
    ("opaque grey+alpha PNG", "la.png", pil_image("LA", [(51, 255), (255, 255)]), np.array([[[0.2] * 3, [1.0] * 3]])),
    ("1-bit PNG", "bits.png", pil_image("1", [0, 1]), np.array([[[0.0] * 3, [1.0] * 3]])),
    ("1-pixel PNG", "pixel.png", pil_image("RGB", [(255, 0, 51)]), None),
]


@pytest.mark.parametrize("name, write, expected", [case[1:] for case in GOOD_FILES], ids=[case[0] for case in GOOD_FILES])
def test_read_image_scales_every_kind_of_image_to_0_1(tmp_path, name, write, expected):
    path = write(tmp_path / name)
    pixels = read_image(path)
    assert pixels.dtype == np.float32 and pixels.ndim == 3 and pixels.shape[2] == 3
    if expected is None:  # the 1-pixel image: its one pixel, then any size from it
        np.testing.assert_allclose(pixels[0, 0], [1.0, 0.0, 0.2], atol=1e-6)
        np.testing.assert_allclose(read_image(path, size=(2, 3)), np.broadcast_to(pixels, (2, 3, 3)), atol=1e-6)
    else:
        np.testing.assert_allclose(pixels, expected, atol=0.5 / 255)
        assert read_image(path, size=(4, 5)).shape == (4, 5, 3)


def test_read_image_16_bit_keeps_precision_and_resizes_in_range(tmp_path):
    ramp = np.linspace(0, 65535, 12).astype(np.uint16).reshape(3, 4)
    pixels = read_image(png16(tmp_path / "ramp.png", ramp, 0))
    np.testing.assert_allclose(pixels[..., 1], ramp / 65535, atol=1e-6)
    resized = read_image(tmp_path / "ramp.png", size=(6, 8))
    assert resized.shape == (6, 8, 3) and resized.min() >= 0 and resized.max() <= 1


def animated_gif(path):
    from PIL import Image

    frames = [Image.new("RGB", (2, 2), colour) for colour in [(255, 0, 0), (0, 255, 0)]]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def truncated_png(path):
    from PIL import Image

    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 40, 3), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:300])
    return path


def pil_mode(mode):
    def write(path):
        from PIL import Image

        Image.new(mode, (2, 2)).save(path)
        return path
    return write


def file_of(content: bytes):
    def write(path):
        path.write_bytes(content)
        return path
    return write


def numpy_file(path):
    np.save(path, images())
    return path


def a_folder(path):
    path.mkdir()
    return path


BAD_FILES = [
    ("text file", "notes.txt", file_of(b"not an image"), ValueError,
     r"path: 'notes\.txt' is not an image file that PIL can read"),
    ("text named .png", "photo.png", file_of(b"not an image"), ValueError, r"path: 'photo\.png' is not an image file"),
    ("empty file", "empty.png", file_of(b""), ValueError, r"path: 'empty\.png' is not an image file"),
    ("a NumPy file", "images.npy", numpy_file, ValueError, r"path: 'images\.npy' is not an image file"),
    ("truncated PNG", "cut.png", truncated_png, ValueError, r"path: 'cut\.png' could not be decoded, it may be truncated"),
    ("transparent RGBA", "glass.png", pil_image("RGBA", [(255, 0, 0, 0), (0, 0, 255, 255)]), ValueError,
     r"path: 'glass\.png' has transparent pixels"),
    ("palette with transparency", "gif.png", pil_image("P", [0, 1], transparency=0), ValueError,
     r"path: 'gif\.png' has transparent pixels"),
    ("32-bit integer TIFF", "int32.tif", pil_mode("I"), ValueError, r"path: 'int32\.tif' has 32-bit or signed pixels \(PIL mode 'I'\)"),
    ("32-bit float TIFF", "float.tif", pil_mode("F"), ValueError, r"path: 'float\.tif' has 32-bit or signed pixels \(PIL mode 'F'\)"),
    ("animated GIF", "anim.gif", animated_gif, ValueError, r"path: 'anim\.gif' holds 2 frames; expected a single image"),
    ("a folder", "folder.png", a_folder, ValueError, r"path: 'folder\.png' is a folder, not an image file"),
    ("missing file", "missing.png", lambda p: p, FileNotFoundError, r"path: no image file named 'missing\.png'"),
]


@pytest.mark.parametrize("name, write, error, match", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_read_image_refuses_bad_files_naming_them(tmp_path, name, write, error, match):
    path = write(tmp_path / name)
    with pytest.raises(error, match=match) as caught:
        read_image(path)
    assert str(tmp_path) not in str(caught.value)


@pytest.mark.parametrize(
    "path, size, error, match",
    [
        (None, None, TypeError, r"path: expected a str or path-like, got NoneType"),
        (b"image.png", None, TypeError, r"path: expected a str or path-like, got bytes"),
        ("image.png", (0, 5), ValueError, r"size: expected \(height, width\) of positive ints, got \(0, 5\)"),
        ("image.png", (True, 2), ValueError, r"size: expected \(height, width\) of positive ints"),
        ("image.png", (2.5, 3), ValueError, r"size: expected \(height, width\) of positive ints"),
        ("image.png", "28x28", ValueError, r"size: expected \(height, width\) of positive ints, got '28x28'"),
        ("image.png", (28, 28, 3), ValueError, r"size: expected \(height, width\)"),
    ],
    ids=["path None", "path bytes", "size 0", "size True", "size float", "size a string", "size 3 values"],
)
def test_read_image_refuses_bad_arguments(tmp_path, path, size, error, match):
    write_image(tmp_path / "image.png", np.zeros((2, 2, 3)))
    if isinstance(path, str):
        path = tmp_path / path
    with pytest.raises(error, match=match):
        read_image(path, size=size)


def test_an_image_of_the_wrong_size_is_refused_then_resized(predictor, tmp_path):
    path = write_image(tmp_path / "big.png", np.broadcast_to(np.array([0.9, 0.0, 0.0]), (8, 8, 3)))
    with pytest.raises(ValueError, match=r"images: expected shape \(2, 2, 3\).* got \(8, 8, 3\)"):
        predictor.predict_labels(read_image(path))
    assert predictor.predict_labels(read_image(path, size=(2, 2))) == [["cat"]]


def test_write_image_refuses_complex_and_out_of_range_images(tmp_path):
    with pytest.raises(ValueError, match=r"image: expected a real-valued \(height, width, 3\) array.*complex"):
        write_image(tmp_path / "x.png", np.zeros((2, 2, 3), complex))
    with pytest.raises(ValueError, match=r"image: expected values in \[0, 1\]"):
        write_image(tmp_path / "x.png", np.full((2, 2, 3), 255.0))
