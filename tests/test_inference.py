import json
import os
import subprocess
import sys
import textwrap

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlc_utils.inference import load_predictor, read_image, save_predictor, write_image

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
