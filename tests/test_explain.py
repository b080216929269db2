import numpy as np
import pytest

from mlc_utils._tensorflow import keras
from mlc_utils.explain import energy_pointing_game, grad_cam, grad_cams, last_conv_layer, pointing_game


def _region_model(masks):
    """Label j's score is a positive function of the brightness inside masks[j] only."""
    inputs = keras.Input((16, 16, 1))
    channels = [keras.layers.Rescaling(mask[..., None].astype("float32"))(inputs) for mask in masks]
    x = keras.layers.Concatenate(name="regions")(channels)          # channel j = image inside mask j
    conv = keras.layers.Conv2D(len(masks), 1, use_bias=False, name="conv")
    pooled = keras.layers.GlobalAveragePooling2D()(conv(x))
    dense = keras.layers.Dense(len(masks), activation="sigmoid", name="labels")
    model = keras.Model(inputs, dense(pooled))
    conv.set_weights([np.eye(len(masks), dtype="float32")[None, None]])
    dense.set_weights([np.eye(len(masks), dtype="float32"), np.zeros(len(masks), "float32")])
    return model


def _two_squares():
    x = np.zeros((1, 16, 16, 1), "float32")
    x[0, 1:4, 1:4] = 1.0      # top-left square
    x[0, 12:15, 12:15] = 2.0  # a brighter square bottom-right
    return x


TOP_LEFT = np.zeros((16, 16), bool)
TOP_LEFT[:8, :8] = True


def test_a_model_that_reads_one_region_points_there_despite_a_brighter_distractor():
    model = _region_model([TOP_LEFT, ~TOP_LEFT])
    x = _two_squares()
    first, second = grad_cam(model, x, 0), grad_cam(model, x, 1)
    assert first.shape == (1, 16, 16) and first.dtype == np.float32
    assert first.max() == pytest.approx(1.0) and first.min() >= 0
    assert pointing_game(first, np.array([[0, 0, 8, 8]])).tolist() == [True]
    assert pointing_game(first, np.array([[8, 8, 16, 16]])).tolist() == [False]
    # the second label reads the rest of the image: its map points at the other square
    assert pointing_game(second, np.array([[11, 11, 16, 16]])).tolist() == [True]
    assert first[0, 13, 13] == 0 and second[0, 2, 2] == 0


def test_grad_cam_equals_the_class_activation_map_by_hand():
    # conv -> global average pooling -> linear score: Grad-CAM's weights are the dense weights / (h w)
    inputs = keras.Input((6, 6, 2))
    features = keras.layers.Conv2D(3, 1, name="features")(inputs)
    score = keras.layers.Dense(1, name="labels")(keras.layers.GlobalAveragePooling2D()(features))
    model = keras.Model(inputs, score)
    rng = np.random.default_rng(0)
    model.get_layer("features").set_weights([rng.normal(size=(1, 1, 2, 3)).astype("float32"), np.zeros(3, "float32")])
    model.get_layer("labels").set_weights([np.array([[1.0], [-0.5], [0.3]], "float32"), np.zeros(1, "float32")])
    x = rng.normal(size=(2, 6, 6, 2)).astype("float32")
    activations = keras.Model(inputs, features)(x).numpy()
    weights = model.get_layer("labels").get_weights()[0][:, 0]
    cam = np.maximum(activations @ weights, 0)
    assert np.all(cam.reshape(2, -1).max(axis=1) > 0) and np.any(cam == 0)  # the ReLU matters here
    expected = cam / cam.reshape(2, -1).max(axis=1)[:, None, None]
    np.testing.assert_allclose(grad_cam(model, x, 0), expected, rtol=1e-4, atol=1e-6)
    assert last_conv_layer(model) == "features"


def test_a_saturated_sigmoid_still_gives_a_map_because_the_logit_is_differentiated():
    model = _region_model([TOP_LEFT, ~TOP_LEFT])
    dense = model.get_layer("labels")
    dense.set_weights([np.eye(2, dtype="float32") * 1000.0, np.zeros(2, "float32")])
    x = _two_squares()
    assert float(model(x)[0, 0]) == 1.0  # the float32 sigmoid has saturated: its gradient is exactly 0
    maps = grad_cam(model, x, 0)
    assert maps.max() == pytest.approx(1.0)
    assert pointing_game(maps, np.array([[0, 0, 8, 8]])).tolist() == [True]


def _conv_flatten_linear(seed: int):
    """conv (1x1, 3 channels) -> flatten -> one sigmoid score, with random weights and zero biases:
    the model, its input and feature tensors, the dense kernel as (5, 5, 3), and the generator."""
    inputs = keras.Input((5, 5, 2))
    features = keras.layers.Conv2D(3, 1, name="features")(inputs)
    score = keras.layers.Dense(1, activation="sigmoid", name="labels")(keras.layers.Flatten()(features))
    model = keras.Model(inputs, score)
    rng = np.random.default_rng(seed)
    model.get_layer("features").set_weights([rng.normal(size=(1, 1, 2, 3)).astype("float32"), np.zeros(3, "float32")])
    kernel = rng.normal(size=(75, 1)).astype("float32").reshape(5, 5, 3)
    model.get_layer("labels").set_weights([kernel.reshape(75, 1), np.zeros(1, "float32")])
    return model, inputs, features, kernel, rng


def test_hirescam_keeps_each_position_s_own_weight_by_hand():
    # conv -> flatten -> linear score: the gradient at (h, w, k) is the dense weight of that cell,
    # so HiResCAM is sum_k W[h, w, k] A[h, w, k]; Grad-CAM would average W over positions first
    model, inputs, features, kernel, rng = _conv_flatten_linear(seed=2)
    kernel = kernel.reshape(75, 1)
    x = rng.normal(size=(2, 5, 5, 2)).astype("float32")
    activations = keras.Model(inputs, features)(x).numpy()
    hires = np.maximum((activations * kernel[:, 0].reshape(5, 5, 3)).sum(axis=-1), 0)
    expected = hires / hires.reshape(2, -1).max(axis=1)[:, None, None]
    np.testing.assert_allclose(grad_cam(model, x, 0, method="hirescam"), expected, rtol=1e-4, atol=1e-6)
    assert not np.allclose(grad_cam(model, x, 0), expected, atol=1e-3)  # Grad-CAM differs here


def test_grad_cams_draws_both_methods_from_one_pass_as_by_hand():
    # conv -> flatten -> linear score, as above: HiResCAM is sum_k W[h, w, k] A[h, w, k], Grad-CAM
    # sum_k mean_hw(W[., ., k]) A[h, w, k]; the two differ, and grad_cams must return each one
    model, inputs, features, kernel, rng = _conv_flatten_linear(seed=4)
    x = rng.normal(size=(3, 5, 5, 2)).astype("float32")
    activations = keras.Model(inputs, features)(x).numpy()

    def normalised(raw):
        raw = np.maximum(raw, 0)
        peak = raw.reshape(len(raw), -1).max(axis=1)[:, None, None]
        return np.divide(raw, peak, out=np.zeros_like(raw), where=peak > 0)

    both = grad_cams(model, x, 0, layer="features")
    assert set(both) == {"gradcam", "hirescam"}
    np.testing.assert_allclose(both["hirescam"], normalised((activations * kernel).sum(axis=-1)),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(both["gradcam"], normalised((activations * kernel.mean(axis=(0, 1))).sum(axis=-1)),
                               rtol=1e-4, atol=1e-6)
    assert not np.allclose(both["gradcam"], both["hirescam"], atol=1e-3)
    only = grad_cams(model, x, 0, layer="features", methods=("hirescam",))
    assert list(only) == ["hirescam"]
    np.testing.assert_array_equal(only["hirescam"], grad_cam(model, x, 0, layer="features", method="hirescam"))


def test_grad_cams_without_resizing_keeps_the_layers_own_grid():
    # a 3x3 convolution without padding: a 6x6 image gives a 4x4 grid, which resize=False keeps
    inputs = keras.Input((6, 6, 1))
    features = keras.layers.Conv2D(2, 3, name="features")(inputs)
    score = keras.layers.Dense(1, activation="sigmoid", name="labels")(keras.layers.Flatten()(features))
    model = keras.Model(inputs, score)
    rng = np.random.default_rng(5)
    kernel = rng.normal(size=(32, 1)).astype("float32")
    model.get_layer("labels").set_weights([kernel, np.zeros(1, "float32")])
    x = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    activations = keras.Model(inputs, features)(x).numpy()
    raw = np.maximum((activations * kernel[:, 0].reshape(4, 4, 2)).sum(axis=-1), 0)
    expected = raw / raw.reshape(2, -1).max(axis=1)[:, None, None]
    kept = grad_cams(model, x, 0, methods=("hirescam",), resize=False)["hirescam"]
    assert kept.shape == (2, 4, 4)
    np.testing.assert_allclose(kept, expected, rtol=1e-4, atol=1e-6)
    assert grad_cams(model, x, 0, methods=("hirescam",))["hirescam"].shape == (2, 6, 6)


def test_hirescam_equals_grad_cam_under_global_average_pooling():
    model = _region_model([TOP_LEFT, ~TOP_LEFT])
    x = _two_squares() + np.random.default_rng(3).random((1, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(grad_cam(model, x, 1, method="hirescam"), grad_cam(model, x, 1),
                               rtol=1e-4, atol=1e-6)


def test_maps_are_resized_to_the_image():
    inputs = keras.Input((16, 16, 1))
    x = keras.layers.Conv2D(2, 3, activation="relu", name="c")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    outputs = keras.layers.Dense(3, activation="sigmoid")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    maps = grad_cam(model, np.random.default_rng(1).random((4, 16, 16, 1)), 2, layer="c")
    assert maps.shape == (4, 16, 16) and np.all((maps >= 0) & (maps <= 1))
    assert last_conv_layer(model).startswith("max_pooling")  # pooled maps are image-shaped too


def test_pointing_game_by_hand():
    maps = np.zeros((4, 4, 4))
    maps[0, 1, 1] = 1      # inside [0, 0, 2, 2]
    maps[1, 3, 3] = 1      # outside
    maps[2, 1, 1] = maps[2, 3, 3] = 1   # a tie, one outside: miss
    # maps[3] is all zero: no evidence, a miss
    boxes = np.array([[0, 0, 2, 2]] * 4)
    assert pointing_game(maps, boxes).tolist() == [True, False, False, False]
    assert pointing_game(maps[:1], np.array([[1, 1, 2, 2]])).tolist() == [True]   # one-pixel box
    assert pointing_game(maps[:1], np.array([[2, 2, 4, 4]])).tolist() == [False]  # bottom/right exclusive


def test_energy_pointing_game_by_hand():
    maps = np.zeros((3, 4, 4))
    maps[0, 0, 0], maps[0, 1, 1], maps[0, 3, 3] = 2, 1, 1      # 3 of 4 units inside [0, 0, 2, 2]
    maps[1, 0, 0], maps[1, 3, 3] = 1, -5                       # negative mass counts as zero
    # maps[2] is all zero: no evidence, 0
    boxes = np.array([[0, 0, 2, 2]] * 3)
    assert np.allclose(energy_pointing_game(maps, boxes), [0.75, 1.0, 0.0])
    # a flat map scores the box's share of the image: 4 of 16 pixels
    assert np.allclose(energy_pointing_game(np.ones((1, 4, 4)), boxes[:1]), [0.25])
    # bottom/right exclusive: the box [1, 1, 3, 3] holds (1, 1) but not (3, 3)
    assert np.allclose(energy_pointing_game(maps[:1], np.array([[1, 1, 3, 3]])), [0.25])


def test_an_all_zero_map_stays_zero():
    model = _region_model([TOP_LEFT, ~TOP_LEFT])
    blank = np.zeros((1, 16, 16, 1), "float32")
    assert np.all(grad_cam(model, blank, 0) == 0)


@pytest.mark.parametrize("call, error, argument", [
    (lambda m: grad_cam("model", _two_squares(), 0), TypeError, "model"),
    (lambda m: grad_cam(m, "x", 0), TypeError, "images"),
    (lambda m: grad_cam(m, np.zeros((1, 8, 8, 1)), 0), ValueError, "images"),
    (lambda m: grad_cam(m, np.zeros((0, 16, 16, 1)), 0), ValueError, "images"),
    (lambda m: grad_cam(m, np.zeros((1, 16, 16, 1), bool), 0), TypeError, "images"),
    (lambda m: grad_cam(m, _two_squares(), 2), ValueError, "label"),
    (lambda m: grad_cam(m, _two_squares(), 0.5), TypeError, "label"),
    (lambda m: grad_cam(m, _two_squares(), 0, layer="labels"), ValueError, "layer"),
    (lambda m: grad_cam(m, _two_squares(), 0, layer="nope"), ValueError, "layer"),
    (lambda m: grad_cam(m, _two_squares(), 0, layer=3), TypeError, "layer"),
    (lambda m: grad_cam(m, _two_squares(), 0, method="gradient"), ValueError, "method"),
    (lambda m: grad_cams(m, _two_squares(), 0, methods="gradcam"), TypeError, "methods"),
    (lambda m: grad_cams(m, _two_squares(), 0, methods=()), ValueError, "methods"),
    (lambda m: grad_cams(m, _two_squares(), 0, resize="no"), TypeError, "resize"),
    (lambda m: grad_cams(m, _two_squares(), 0, methods=("gradcam", "cam")), ValueError, "methods"),
    (lambda m: grad_cams(m, _two_squares(), 7), ValueError, "label"),
    (lambda m: pointing_game(np.zeros((2, 4, 4)), np.zeros((2, 4))), TypeError, "boxes"),
    (lambda m: pointing_game(np.zeros((2, 4, 4)), np.array([[0, 0, 2, 2]])), ValueError, "boxes"),
    (lambda m: pointing_game(np.zeros((1, 4, 4)), np.array([[-1, -1, -1, -1]])), ValueError, "absent"),
    (lambda m: pointing_game(np.zeros((4, 4)), np.array([[0, 0, 2, 2]])), ValueError, "maps"),
    (lambda m: pointing_game("maps", np.array([[0, 0, 2, 2]])), TypeError, "maps"),
    (lambda m: energy_pointing_game(np.zeros((2, 4, 4)), np.array([[0, 0, 2, 2]])), ValueError, "boxes"),
    (lambda m: energy_pointing_game(np.zeros((1, 4, 4), bool), np.array([[0, 0, 2, 2]])), TypeError, "maps"),
    (lambda m: last_conv_layer(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])), ValueError, "4-D"),
])
def test_bad_input_is_refused_by_name(call, error, argument):
    with pytest.raises(error, match=argument):
        call(_region_model([TOP_LEFT, ~TOP_LEFT]))
