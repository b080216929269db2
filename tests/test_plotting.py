"""Tests of ``mlc_utils.plotting``: what each figure shows, read back from the figure object, and the
layout of the per-label confusion matrices (panels per row, legible fonts, counts that are right).

Expectations come from scikit-learn (``multilabel_confusion_matrix``, ``precision_recall_curve``) and
hand-built data, not from the helpers themselves.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import multilabel_confusion_matrix

from mlc_utils.data import DIGIT_NAMES, make_multidigits, toy_photos
from mlc_utils.plotting import (
    BOOK_STYLE,
    OKABE_ITO,
    plot_confusion_matrices,
    plot_cooccurrence,
    plot_image_grid,
    plot_label_frequency,
    plot_learning_curves,
    plot_pr_curves,
    use_book_style,
)

X, Y = make_multidigits(12, seed=1)
EXAMPLE = toy_photos()
HISTORY = {"loss": [0.6, 0.4, 0.3], "val_loss": [0.6, 0.5, 0.45], "accuracy": [0.8, 0.9, 0.93],
           "val_accuracy": [0.8, 0.88, 0.9]}


@pytest.fixture(autouse=True)
def no_show_and_close(monkeypatch):
    """Every test of this file: a helper may not call plt.show(), and each test closes its figures."""

    def refuse():
        raise AssertionError("plotting helpers must not call plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def test_image_grid_titles_use_label_names():
    fig = plot_image_grid(X, Y, n=6, ncols=3)
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 6
    assert titles[0] == ", ".join(DIGIT_NAMES[j] for j in np.flatnonzero(Y[0]))


def test_image_grid_with_predictions_marks_mistakes_in_red():
    y_pred = Y.copy()
    y_pred[0] = 1 - y_pred[0]
    fig = plot_image_grid(X, Y, n=2, ncols=2, y_pred=y_pred)
    first, second = [ax for ax in fig.axes if ax.get_title()]
    assert first.get_title().startswith("true: ") and "pred: " in first.get_title()
    assert first.title.get_color() != second.title.get_color()


def test_label_frequency_and_cooccurrence():
    fig = plot_label_frequency(EXAMPLE.y_true, EXAMPLE.label_names)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(EXAMPLE.label_names)
    assert [p.get_height() for p in ax.patches] == EXAMPLE.y_true.sum(axis=0).tolist()
    assert ax.get_ylabel() and ax.get_title()
    fig = plot_cooccurrence(EXAMPLE.y_true, EXAMPLE.label_names)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(EXAMPLE.label_names)


def test_learning_curves_from_a_dict_and_a_history_like_object():
    fig = plot_learning_curves(HISTORY)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert len(fig.axes[0].lines) == 2

    class FakeHistory:
        history = {"loss": [1.0, 0.5]}

    assert len(plot_learning_curves(FakeHistory(), metrics=("loss",)).axes[0].lines) == 1


def test_pr_curves_and_confusion_matrices():
    fig = plot_pr_curves(EXAMPLE.y_true, EXAMPLE.y_score, EXAMPLE.label_names)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert [t.split(" (")[0] for t in titles] == list(EXAMPLE.label_names)
    fig = plot_confusion_matrices(EXAMPLE.y_true, EXAMPLE.y_pred, EXAMPLE.label_names)
    assert [ax.get_title() for ax in fig.axes] == list(EXAMPLE.label_names)


def test_rejects_label_name_count_mismatch():
    with pytest.raises(ValueError, match="label_names: expected 3 names"):
        plot_label_frequency(EXAMPLE.y_true, ["cat", "dog"])


def test_rejects_missing_metric_in_history():
    with pytest.raises(ValueError, match="metrics: 'f1' is not in history"):
        plot_learning_curves(HISTORY, metrics=("loss", "f1"))


def test_rejects_history_of_wrong_type():
    with pytest.raises(TypeError, match="history"):
        plot_learning_curves([0.5, 0.4])


def test_image_grid_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="Y: expected 12 rows"):
        plot_image_grid(X, Y[:5])


def test_confusion_matrices_reject_probabilities():
    with pytest.raises(ValueError, match="y_pred: expected only 0 and 1"):
        plot_confusion_matrices(EXAMPLE.y_true, EXAMPLE.y_score, EXAMPLE.label_names)


# -- what each plot means, read from the figure object (issue 13) ------------------------------
from matplotlib.colors import to_hex  # noqa: E402

# The toy photos' confusion matrices by hand, rows = true no/yes, columns = predicted no/yes:
# cat: all 5 right (2 no, 3 yes); dog: photo 3 missed (FN), photo 4 added (FP); person: photo 5 missed.
TOY_CONFUSION = {"cat": [[2, 0], [0, 3]], "dog": [[1, 1], [1, 2]], "person": [[2, 0], [1, 2]]}


def texts_by_cell(ax):
    """The annotations of a heatmap as {(row, column): text}."""
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}


def test_confusion_matrices_put_truth_in_rows_and_predictions_in_columns():
    fig = plot_confusion_matrices(EXAMPLE.y_true, EXAMPLE.y_pred, EXAMPLE.label_names)
    panels = [ax for ax in fig.axes if ax.get_title()]
    for ax, name in zip(panels, EXAMPLE.label_names):
        expected = TOY_CONFUSION[name]
        np.testing.assert_array_equal(ax.images[0].get_array(), expected)
        assert texts_by_cell(ax) == {(i, j): str(expected[i][j]) for i in range(2) for j in range(2)}
        assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["no", "yes"]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["no", "yes"]


def test_cooccurrence_heatmap_shows_yty_with_its_counts():
    # Toy photos by hand: each label on 3 photos; cat & dog 2, cat & person 1, dog & person 2.
    expected = [[3, 2, 1], [2, 3, 2], [1, 2, 3]]
    fig = plot_cooccurrence(EXAMPLE.y_true, EXAMPLE.label_names)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert texts_by_cell(ax) == {(i, j): str(expected[i][j]) for i in range(3) for j in range(3)}
    # dark cells (above half the maximum) get white text
    colours = {(round(t.get_position()[1]), round(t.get_position()[0])): to_hex(t.get_color()) for t in ax.texts}
    assert colours[0, 0] == to_hex("white") and colours[0, 2] == to_hex("black")
    assert [t.get_text() for t in ax.get_xticklabels()] == list(EXAMPLE.label_names)


def test_label_frequency_axes_say_what_the_bars_count():
    ax = plot_label_frequency(EXAMPLE.y_true, EXAMPLE.label_names).axes[0]
    assert ax.get_xlabel() == "label" and ax.get_ylabel() == "number of samples"
    assert ax.get_title() == "Label frequency (5 samples)"
    assert [p.get_height() for p in ax.patches] == [3, 3, 3]


def test_learning_curves_plot_training_and_validation_values_per_epoch():
    fig = plot_learning_curves(HISTORY)
    for ax, name in zip(fig.axes, ("loss", "accuracy")):
        training, validation = ax.lines
        assert training.get_label() == "training" and validation.get_label() == "validation"
        assert list(training.get_xdata()) == [1, 2, 3]
        assert list(training.get_ydata()) == HISTORY[name]
        assert list(validation.get_ydata()) == HISTORY[f"val_{name}"]
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == name
        assert to_hex(training.get_color()) != to_hex(validation.get_color())
        assert training.get_linestyle() != validation.get_linestyle()        # not colour alone
        assert training.get_marker() != validation.get_marker()
    (legend,) = fig.legends                                                  # one legend, for the figure
    assert [t.get_text() for t in legend.get_texts()] == ["training", "validation"]


def test_pr_curves_draw_scikit_learns_curve_for_each_label_in_its_own_panel():
    import sklearn.metrics as skm

    y_true = EXAMPLE.y_true.copy()
    y_true[:, 2] = 0  # "person" without positives
    fig = plot_pr_curves(y_true, EXAMPLE.y_score, EXAMPLE.label_names)
    panels = [ax for ax in fig.axes if ax.axison]
    # cat ranked perfectly: AP 1; dog by hand (1 + 2/3 + 3/4) / 3 = 0.81
    assert [ax.get_title() for ax in panels] == ["cat (AP 1.00)", "dog (AP 0.81)", "person (no positives)"]
    blue = to_hex(OKABE_ITO["blue"])
    for ax, j in zip(panels[:2], range(2)):
        (own,) = [line for line in ax.lines if to_hex(line.get_color()) == blue]
        precision, recall, _ = skm.precision_recall_curve(y_true[:, j], EXAMPLE.y_score[:, j])
        np.testing.assert_allclose(own.get_xdata(), recall)
        np.testing.assert_allclose(own.get_ydata(), precision)
        others = [line for line in ax.lines if line is not own]
        assert len(others) == 1                                   # the other label with positives, in grey
        assert to_hex(others[0].get_color()) == to_hex("0.85")
    assert len(panels[2].lines) == 2 and all(to_hex(l.get_color()) == to_hex("0.85") for l in panels[2].lines)
    assert all(ax.get_legend() is None for ax in fig.axes) and not fig.legends


def test_image_grid_marks_only_wrong_predictions_in_vermillion_and_bold():
    y_pred = Y.copy()
    y_pred[1] = 1 - y_pred[1]
    fig = plot_image_grid(X, Y, n=3, ncols=3, y_pred=y_pred)
    titles = [ax.title for ax in fig.axes if ax.get_title()]
    assert [to_hex(t.get_color()) for t in titles] == [to_hex("black"), OKABE_ITO["vermillion"].lower(),
                                                       to_hex("black")]
    assert [t.get_fontweight() for t in titles] == ["normal", "bold", "normal"]  # a cue besides colour
    first = [ax for ax in fig.axes if ax.get_title()][0]
    truth = ", ".join(DIGIT_NAMES[j] for j in np.flatnonzero(Y[0]))
    assert first.get_title() == f"true: {truth}\npred: {truth}"


# -- issue 9, points 9 and 11: images as they are, or a clear refusal ------------------------------

def test_image_grid_shows_uint8_images_unchanged():
    images = (X * 255).astype(np.uint8)
    fig = plot_image_grid(images, Y, n=2, ncols=2)
    shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    np.testing.assert_array_equal(shown[0], images[0])  # not clipped to 0/1 (black squares)
    assert shown[0].max() > 1


def test_image_grid_shows_float_images_unchanged_and_grey_on_a_fixed_scale():
    fig = plot_image_grid(X, Y, n=1, ncols=1)
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), X[0])
    grey = np.full((1, 4, 4, 1), 0.25)
    image = plot_image_grid(grey, Y[:1], n=1).axes[0].images[0]
    assert image.get_array().shape == (4, 4) and image.get_clim() == (0, 1)


@pytest.mark.parametrize(
    "images, error, message",
    [
        (X * 255, ValueError, r"X: expected float images in \[0, 1\], found values in \[.*\] \(for values 0-255"),
        (-X, ValueError, r"X: expected float images in \[0, 1\]"),
        (np.full(X.shape, np.nan), ValueError, r"X: expected float images in \[0, 1\], found NaN or infinity"),
        ((X * 255).astype(np.int64), TypeError, r"X: expected uint8 images \(0-255\) or float images in \[0, 1\], "
                                                 r"got dtype int64"),
        (X > 0.5, TypeError, "got dtype bool"),
        (np.moveaxis(X, -1, 1), ValueError, r"X: expected 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\) channels in the last "
                                            r"axis, got shape \(12, 3, 32, 32\); these look channels-first"),
        (X[..., :2], ValueError, r"channels in the last axis, got shape \(12, 32, 32, 2\)$"),
    ],
)
def test_image_grid_refuses_what_it_cannot_show_faithfully(images, error, message):
    with pytest.raises(error, match=message):
        plot_image_grid(images, Y)


def test_learning_curves_refuse_curves_of_unequal_length():
    with pytest.raises(ValueError, match=r"history: 'val_loss' has 2 values but 'loss' has 3 \(one per epoch each\)"):
        plot_learning_curves({"loss": [0.6, 0.4, 0.3], "val_loss": [0.6, 0.5]}, metrics=("loss",))


def test_learning_curves_refuse_non_numeric_or_empty_curves():
    with pytest.raises(TypeError, match=r"history\['loss'\]: expected an array-like of numbers"):
        plot_learning_curves({"loss": "0.6 0.4"}, metrics=("loss",))
    with pytest.raises(ValueError, match=r"history\['loss'\]: expected a non-empty list of numbers"):
        plot_learning_curves({"loss": []}, metrics=("loss",))


# -- pinned by the mutation run: arguments named, layout that carries meaning -----------------------

def test_learning_curves_messages_and_one_row_of_panels():
    with pytest.raises(TypeError, match=r"^history: expected a keras History or a dict of lists, got list$"):
        plot_learning_curves([0.5])
    with pytest.raises(TypeError, match=r"^metrics: expected a sequence of metric names, got 'loss'$"):
        plot_learning_curves(HISTORY, metrics="loss")
    with pytest.raises(ValueError, match=r"^metrics: expected at least one metric name$"):
        plot_learning_curves(HISTORY, metrics=())
    fig = plot_learning_curves({"binary_accuracy": [0.5, 0.7], "loss": [0.7, 0.6]}, metrics=("binary_accuracy", "loss"))
    left, right = fig.axes
    assert left.get_title() == "binary accuracy"
    assert left.get_position().y0 == pytest.approx(right.get_position().y0)   # side by side
    assert left.get_position().x1 < right.get_position().x0
    assert fig.get_size_inches()[0] > fig.get_size_inches()[1]                 # a row, not a column
    assert list(left.lines[0].get_xdata()) == [1, 2]                          # epochs count from 1


def test_confusion_matrix_of_one_label_by_hand():
    # y_true [1, 1, 0, 0, 1], y_pred [1, 0, 0, 1, 1]: tn 1, fp 1, fn 1, tp 2.
    fig = plot_confusion_matrices([[1], [1], [0], [0], [1]], [[1], [0], [0], [1], [1]], ["cat"])
    (ax,) = [a for a in fig.axes if a.get_title()]
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 1], [1, 2]])
    assert texts_by_cell(ax) == {(0, 0): "1", (0, 1): "1", (1, 0): "1", (1, 1): "2"}


def test_confusion_matrices_grid_colour_scale_and_text_colours():
    # 6 labels: 5 panels a row by default, so 2 rows; the 4 unused panels are switched off.
    y = np.eye(6, dtype=int)
    fig = plot_confusion_matrices(y, y, [f"l{j}" for j in range(6)])
    assert len(fig.axes) == 10 and sum(ax.axison for ax in fig.axes) == 6
    assert len(plot_confusion_matrices(y, y, [f"l{j}" for j in range(6)], ncols=2).axes) == 6
    with pytest.raises(ValueError, match=r"^ncols: expected an integer >= 1, got 0$"):
        plot_confusion_matrices(y, y, [f"l{j}" for j in range(6)], ncols=0)
    with pytest.raises(ValueError, match=r"^y_pred: expected the same shape as y_true \(6, 6\), got \(6, 5\)$"):
        plot_confusion_matrices(y, y[:, :5], [f"l{j}" for j in range(6)])
    with pytest.raises(ValueError, match=r"^y_true: expected only 0 and 1"):
        plot_confusion_matrices(2 * y, y, [f"l{j}" for j in range(6)])
    # Toy "dog": counts [[1, 1], [1, 2]]; the colour scale starts at 0; a count of exactly half the
    # maximum (1 of 2) stays black, only counts above it are white.
    fig = plot_confusion_matrices(EXAMPLE.y_true, EXAMPLE.y_pred, EXAMPLE.label_names)
    dog = [ax for ax in fig.axes if ax.get_title() == "dog"][0]
    assert dog.images[0].get_clim() == (0, 2)
    assert dog.images[0].get_cmap().name == "Blues"
    colours = {(round(t.get_position()[1]), round(t.get_position()[0])): to_hex(t.get_color()) for t in dog.texts}
    assert colours == {(0, 0): to_hex("black"), (0, 1): to_hex("black"), (1, 0): to_hex("black"),
                       (1, 1): to_hex("white")}
    assert [t.get_position()[0] for t in dog.get_xticklabels()] == [0, 1]
    assert fig._suptitle.get_text() == "Confusion matrix per label"


def test_pr_curves_title_limits_and_refusals():
    fig = plot_pr_curves(EXAMPLE.y_true, EXAMPLE.y_score, EXAMPLE.label_names)
    assert fig._suptitle.get_text() == "Precision-recall curve per label (grey: the other labels)"
    for ax in fig.axes[:3]:
        assert ax.get_xlim() == (0, 1.01) and ax.get_ylim() == (0, 1.02)
    with pytest.raises(ValueError, match=r"^y_score: expected the same shape as y_true \(5, 3\), got \(5, 2\)$"):
        plot_pr_curves(EXAMPLE.y_true, EXAMPLE.y_score[:, :2], EXAMPLE.label_names)
    with pytest.raises(ValueError, match=r"^y_score: expected probabilities in \[0, 1\]"):
        plot_pr_curves(EXAMPLE.y_true, EXAMPLE.y_score * 2, EXAMPLE.label_names)
    with pytest.raises(ValueError, match=r"^y_true: expected only 0 and 1"):
        plot_pr_curves(EXAMPLE.y_true * 2, EXAMPLE.y_score, EXAMPLE.label_names)
    with pytest.raises(ValueError, match=r"^label_names: expected 3 names"):
        plot_pr_curves(EXAMPLE.y_true, EXAMPLE.y_score, ["a"])




def test_image_grid_layout_and_empty_label_sets():
    y = np.zeros_like(Y)
    y[1, 3] = 1
    fig = plot_image_grid(X, y, n=5, ncols=2)
    assert len(fig.axes) == 6 and sum(len(ax.images) for ax in fig.axes) == 5   # 3 rows of 2, one empty
    assert not any(ax.axison for ax in fig.axes)                                 # no axes around images
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles[:2] == ["(none)", "three"]
    assert len(plot_image_grid(X[:3], Y[:3], n=16).axes) == 3                    # n and ncols shrink to fit
    grey = plot_image_grid(X[..., 0], Y, n=1).axes[0].images[0]
    assert grey.get_cmap().name == "gray"
    assert plot_image_grid(X, Y, n=1).axes[0].images[0].get_array().shape == (32, 32, 3)
    with pytest.raises(ValueError, match=r"^n: expected an integer >= 1, got 0$"):
        plot_image_grid(X, Y, n=0)
    with pytest.raises(ValueError, match=r"^ncols: expected an integer >= 1, got 0$"):
        plot_image_grid(X, Y, ncols=0)
    with pytest.raises(ValueError, match=r"^y_pred: expected the same shape as Y"):
        plot_image_grid(X, Y, y_pred=Y[:, :3])
    with pytest.raises(ValueError, match=r"^X: expected images of shape \(n, height, width\[, channels\]\)"):
        plot_image_grid(X[0, 0], Y)


def test_cooccurrence_labels_colourbar_and_no_annotations_beyond_15_labels():
    fig = plot_cooccurrence(EXAMPLE.y_true, EXAMPLE.label_names)
    ax, bar = fig.axes
    assert ax.get_xlabel() == "label" and ax.get_ylabel() == "label"
    assert ax.get_title() == "Label co-occurrence (samples with both)"
    assert bar.get_ylabel() == "samples"
    assert ax.images[0].get_cmap().name == "Blues"
    many = np.eye(16, dtype=int)
    assert len(plot_cooccurrence(many, [f"l{j}" for j in range(16)]).axes[0].texts) == 0
    assert len(plot_cooccurrence(many[:, :15], [f"l{j}" for j in range(15)]).axes[0].texts) == 15 * 15
    # an all-zero matrix: every count is black (nothing is above half of a zero maximum)
    ax = plot_cooccurrence(np.zeros((2, 2), int), ["a", "b"]).axes[0]
    assert {to_hex(t.get_color()) for t in ax.texts} == {to_hex("black")}


def test_label_names_none_is_refused_where_names_are_needed():
    with pytest.raises(TypeError, match=r"^label_names: expected a sequence of 3 names, got NoneType$"):
        plot_label_frequency(EXAMPLE.y_true, None)


# -- plotting survivors of the full mutation run (issue 13, 2026-11-27) -----------------------------
# Layout pins: figure sizes and font sizes as the chapters were laid out for a page and a phone (a
# change there changes every chapter's figures, so it should be deliberate); the rest pins meaning.

def tick_texts(labels):
    return [(t.get_text(), t.get_rotation(), t.get_horizontalalignment()) for t in labels]


def test_image_grid_input_refusals_in_full():
    with pytest.raises(TypeError, match=r"^X: expected an array-like of numbers, got str$"):
        plot_image_grid("abc", Y)
    with pytest.raises(ValueError, match=r"^Y: expected only 0 and 1 labels, found \[2\]$"):
        plot_image_grid(X, 2 * Y)
    with pytest.raises(ValueError, match=r"^y_pred: expected only 0 and 1 labels, found \[2\]$"):
        plot_image_grid(X, Y, y_pred=2 * Y)
    with pytest.raises(ValueError, match=r"^Y: expected 12 rows \(one per image in X\), got 5$"):
        plot_image_grid(X, Y[:5])
    with pytest.raises(ValueError, match=r"^X: expected float images in \[0, 1\], found NaN or infinity$"):
        plot_image_grid(np.full((1, 4, 4), np.nan), Y[:1])
    with pytest.raises(ValueError, match=r"^X: expected float images in \[0, 1\], found values in \[1\.5, 1\.5\] "
                                         r"\(for values 0-255 divide by 255 or use X\.astype\(np\.uint8\)\)$"):
        plot_image_grid(np.full((1, 4, 4), 1.5), Y[:1])
    with pytest.raises(TypeError, match=r"^X: expected uint8 images \(0-255\) or float images in \[0, 1\], got "
                                        r"dtype int64 \(for values 0-255 use X\.astype\(np\.uint8\)\)$"):
        plot_image_grid(np.ones((1, 4, 4), dtype=np.int64), Y[:1])


@pytest.mark.parametrize("channels", [1, 4])
def test_image_grid_hints_channels_first_grey_and_rgba(channels):
    images = np.zeros((2, channels, 5, 5))
    message = (rf"^X: expected 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\) channels in the last axis, got shape "
               rf"\(2, {channels}, 5, 5\); these look channels-first: use np\.moveaxis\(X, 1, -1\)$")
    with pytest.raises(ValueError, match=message):
        plot_image_grid(images, Y[:2])


def test_image_grid_shows_rgba_and_one_channel_grey_and_uint8_grey_on_its_scale():
    rgba = np.full((1, 4, 4, 4), 0.5)
    assert plot_image_grid(rgba, Y[:1]).axes[0].images[0].get_array().shape == (4, 4, 4)
    grey = plot_image_grid(np.full((1, 4, 4, 1), 0.25), Y[:1]).axes[0].images[0]
    assert grey.get_cmap().name == "gray" and grey.get_array().shape == (4, 4)
    # a uint8 grey pixel of 128 is mid-grey: the scale is 0-255, not 0-1 (where 128 would be white)
    image = plot_image_grid(np.full((1, 4, 4), 128, dtype=np.uint8), Y[:1]).axes[0].images[0]
    assert image.get_clim() == (0, 255) and image.get_cmap().name == "gray"


def test_image_grid_titles_join_several_labels_with_a_comma():
    y = np.zeros((1, 10), dtype=int)
    y[0, [1, 3]] = 1
    assert plot_image_grid(X[:1], y).axes[0].get_title() == "one, three"


def test_image_grid_defaults_and_layout_pins():
    images, labels = np.zeros((20, 4, 4)), np.zeros((20, 10), dtype=int)
    fig = plot_image_grid(images, labels)                  # default: 16 images, 8 per row
    assert len(fig.axes) == 16 and sum(len(ax.images) for ax in fig.axes) == 16
    assert tuple(fig.get_size_inches()) == pytest.approx((12.0, 3.2))     # 1.5 in a column, 1.6 in a row
    fig = plot_image_grid(images, labels, n=3, ncols=3, y_pred=labels)     # two-line titles: taller rows
    assert tuple(fig.get_size_inches()) == pytest.approx((4.5, 1.9))
    assert {ax.title.get_fontsize() for ax in fig.axes} == {7}
    # spare panels after the last image are blank too (not just the first of them)
    fig = plot_image_grid(images, labels, n=4, ncols=3)
    assert len(fig.axes) == 6 and not any(ax.axison for ax in fig.axes)


def test_label_frequency_refusal_and_layout_pins():
    with pytest.raises(ValueError, match=r"^Y: expected only 0 and 1 labels, found \[2\]$"):
        plot_label_frequency(2 * EXAMPLE.y_true, EXAMPLE.label_names)
    fig = plot_label_frequency(EXAMPLE.y_true, EXAMPLE.label_names)
    assert tuple(fig.get_size_inches()) == pytest.approx((4.0, 3.0))          # at least 4 in wide
    assert tick_texts(fig.axes[0].get_xticklabels()) == [(n, 45, "right") for n in EXAMPLE.label_names]
    names = [f"Class{j}" for j in range(1, 15)]
    fig = plot_label_frequency(np.eye(14, dtype=int), names)
    assert tuple(fig.get_size_inches()) == pytest.approx((0.45 * 14 + 1.5, 3.0))  # 0.45 in a bar


def test_label_frequency_bars_are_the_books_blue_under_any_style():
    with plt.style.context("ggplot"):
        ax = plot_label_frequency(EXAMPLE.y_true, EXAMPLE.label_names).axes[0]
    assert {to_hex(p.get_facecolor()) for p in ax.patches} == {OKABE_ITO["blue"].lower()}


def test_cooccurrence_refusal_and_layout_pins():
    with pytest.raises(ValueError, match=r"^Y: expected only 0 and 1 labels, found \[2\]$"):
        plot_cooccurrence(2 * EXAMPLE.y_true, EXAMPLE.label_names)
    fig = plot_cooccurrence(EXAMPLE.y_true, EXAMPLE.label_names)
    assert tuple(fig.get_size_inches()) == pytest.approx((3.5 + 0.8, 3.5))    # at least 3.5 in, + colour bar
    ax = fig.axes[0]
    assert tick_texts(ax.get_xticklabels()) == [(n, 45, "right") for n in EXAMPLE.label_names]
    assert {(t.get_fontsize(), t.get_horizontalalignment(), t.get_verticalalignment()) for t in ax.texts} == {
        (10, "center", "center")}
    size = 0.45 * 14 + 1.5
    fig = plot_cooccurrence(np.eye(14, dtype=int), [f"Class{j}" for j in range(1, 15)])
    assert tuple(fig.get_size_inches()) == pytest.approx((size + 0.8, size))
    assert {t.get_fontsize() for t in fig.axes[0].texts} == {8}                # smaller cells beyond 10 labels


def test_cooccurrence_colour_bar_belongs_to_the_heatmap():
    fig = plot_cooccurrence(EXAMPLE.y_true, EXAMPLE.label_names)
    ax, bar = fig.axes
    image = ax.images[0]
    assert image.colorbar is not None and image.colorbar.ax is bar
    assert bar.get_ylim() == pytest.approx((1, 3))            # the counts' range: 1 to 3 samples
    fig.canvas.draw()
    assert bar.get_position().height == pytest.approx(0.8 * ax.get_position().height, rel=0.02)


def test_cooccurrence_text_turns_white_only_above_half_the_maximum():
    # 6 samples; label a on all, b on 3 (with a): counts [[6, 3], [3, 3]]; half the maximum is 3,
    # so only the 6 is white and the three 3s stay black.
    y = np.array([[1, 1]] * 3 + [[1, 0]] * 3)
    ax = plot_cooccurrence(y, ["a", "b"]).axes[0]
    assert texts_by_cell(ax) == {(0, 0): "6", (0, 1): "3", (1, 0): "3", (1, 1): "3"}
    colours = {(round(t.get_position()[1]), round(t.get_position()[0])): to_hex(t.get_color()) for t in ax.texts}
    assert colours == {(0, 0): to_hex("white"), (0, 1): to_hex("black"), (1, 0): to_hex("black"),
                       (1, 1): to_hex("black")}


def test_learning_curves_validation_per_epoch_markers_integer_ticks_and_size():
    fig = plot_learning_curves(HISTORY)
    assert tuple(fig.get_size_inches()) == pytest.approx((8.4, 3.4))          # 4.2 in a panel
    for ax in fig.axes:
        assert [(line.get_marker(), line.get_linestyle()) for line in ax.lines] == [("o", "-"), ("s", "--")]
        for line in ax.lines:                                                # both curves
            assert list(line.get_xdata()) == [1, 2, 3]
            assert line.get_markersize() == 4
        ticks = [t for t in ax.get_xticks() if 1 <= t <= 3]
        assert ticks == [1, 2, 3]                                            # whole epochs only
    assert tuple(plot_learning_curves(HISTORY, metrics=("loss",)).get_size_inches()) == pytest.approx((4.2, 3.4))


def test_learning_curves_legend_sits_below_the_panels_and_covers_no_data():
    # Curves that fill every corner of the panels: the legend must still be outside them.
    history = {"loss": [1.0, 0.0, 1.0, 0.0], "val_loss": [0.0, 1.0, 0.0, 1.0]}
    fig = plot_learning_curves(history, metrics=("loss",))
    fig.canvas.draw()
    (legend,) = fig.legends
    box = legend.get_window_extent()
    for ax in fig.axes:
        assert ax.get_legend() is None
        assert box.y1 <= ax.get_tightbbox().y0 + 1                           # entirely below the axes
    assert all(t.get_fontsize() >= 10 for t in legend.get_texts())




def test_pr_curves_a_label_without_positives_first_keeps_the_others():
    y_true = EXAMPLE.y_true.copy()
    y_true[:, 0] = 0
    fig = plot_pr_curves(y_true, EXAMPLE.y_score, EXAMPLE.label_names)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles[0] == "cat (no positives)" and titles[1].startswith("dog (AP") and titles[2].startswith("person (AP")


def test_pr_curves_axes_limits_and_small_multiples_layout():
    # precision down to 1/3 here: the y axis still ends at 1.02, not where autoscaling would put it
    y = np.array([[1], [0], [0]])
    ax = plot_pr_curves(y, [[0.2], [0.5], [0.9]], ["rare"]).axes[0]
    assert ax.get_ylim() == (0, 1.02) and ax.get_xlim() == (0, 1.01)
    # ten labels: five rows of two panels, narrow enough for a phone, text at least 10 pt
    fig = plot_pr_curves(Y_TRUE, RNG.random(Y_TRUE.shape), NAMES)
    assert grid_shape(fig) == (5, 2) and len(visible_axes(fig)) == 10
    assert fig.get_figwidth() <= 6
    for ax in visible_axes(fig):
        assert ax.title.get_fontsize() >= 10
        ticks = ax.xaxis.get_major_ticks() + ax.yaxis.get_major_ticks()
        assert min(t.label1.get_fontsize() for t in ticks) >= 10
    assert [ax.get_xlabel() for ax in visible_axes(fig)][-2:] == ["recall", "recall"]
    assert [ax.get_ylabel() for ax in visible_axes(fig)][::2] == ["precision"] * 5
    assert grid_shape(plot_pr_curves(Y_TRUE, RNG.random(Y_TRUE.shape), NAMES, ncols=5)) == (2, 5)
    # a spare panel is blank, and the panel above it shows the recall axis
    fig = plot_pr_curves(EXAMPLE.y_true, EXAMPLE.y_score, EXAMPLE.label_names)
    assert len(fig.axes) == 4 and len(visible_axes(fig)) == 3
    assert visible_axes(fig)[1].get_xlabel() == "recall"
    with pytest.raises(ValueError, match=r"^ncols: expected an integer >= 1, got 0$"):
        plot_pr_curves(EXAMPLE.y_true, EXAMPLE.y_score, EXAMPLE.label_names, ncols=0)


def test_confusion_matrices_layout_pins_and_cells():
    fig = plot_confusion_matrices(EXAMPLE.y_true, EXAMPLE.y_pred, EXAMPLE.label_names)
    assert tuple(fig.get_size_inches()) == pytest.approx((6.3, 2.1))          # 2.1 in a panel
    assert fig._suptitle.get_fontsize() == 12
    for ax in fig.axes:
        assert {(t.get_fontsize(), t.get_horizontalalignment(), t.get_verticalalignment()) for t in ax.texts} == {
            (12, "center", "center")}
        assert {t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()} == {10}
        assert ax.xaxis.label.get_fontsize() == 10 and ax.yaxis.label.get_fontsize() == 10
        assert ax.title.get_fontsize() == 11
        assert list(ax.get_yticks()) == [0, 1] and list(ax.get_xticks()) == [0, 1]
    fig = plot_confusion_matrices(np.eye(6, dtype=int), np.eye(6, dtype=int), list("abcdef"), ncols=4)
    assert tuple(fig.get_size_inches()) == pytest.approx((8.4, 4.2))          # 2 rows of 4


def test_confusion_matrix_of_a_single_sample_uses_the_full_colour_scale():
    ax = plot_confusion_matrices([[1]], [[1]], ["cat"]).axes[0]
    assert ax.images[0].get_clim() == (0, 1)
    colours = {(round(t.get_position()[1]), round(t.get_position()[0])): to_hex(t.get_color()) for t in ax.texts}
    assert colours[1, 1] == to_hex("white") and colours[0, 0] == to_hex("black")


def test_confusion_matrix_font_sizes_do_not_follow_a_smaller_rc_font():
    # The sizes are set, not inherited: under a 6-pt default the panels stay legible on a phone.
    small = {"font.size": 6, "xtick.labelsize": 6, "ytick.labelsize": 6, "axes.labelsize": 6,
             "axes.titlesize": 6, "figure.titlesize": 6}
    with plt.rc_context(small):
        fig = plot_confusion_matrices(EXAMPLE.y_true, EXAMPLE.y_pred, EXAMPLE.label_names)
    assert fig._suptitle.get_fontsize() == 12
    for ax in fig.axes:
        assert {t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()} == {10}
        assert ax.xaxis.label.get_fontsize() == 10 and ax.yaxis.label.get_fontsize() == 10


# -- layout of the per-label confusion matrices ----------------------------------------------------
# Chapter 6 draws ten matrices; five per row left the counts at about 5 px on a desktop page and 3 px
# on a phone, so plot_confusion_matrices takes ncols=. Expectations come from scikit-learn's
# multilabel_confusion_matrix and hand-built data. (no_show_and_close above closes their figures.)

NAMES = [f"label {j}" for j in range(10)]
RNG = np.random.default_rng(0)
Y_TRUE = RNG.integers(0, 2, size=(60, 10))
Y_PRED = RNG.integers(0, 2, size=(60, 10))


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.axison]


def grid_shape(fig):
    """(rows, columns) of the visible panels, read from where matplotlib placed them."""
    boxes = [ax.get_position() for ax in visible_axes(fig)]
    return len({round(b.y0, 3) for b in boxes}), len({round(b.x0, 3) for b in boxes})


def test_ncols_two_gives_five_rows_of_two_narrow_enough_for_a_page():
    fig = plot_confusion_matrices(Y_TRUE, Y_PRED, NAMES, ncols=2)
    assert len(visible_axes(fig)) == 10
    assert grid_shape(fig) == (5, 2)
    assert fig.get_figwidth() <= 8


def test_ncols_that_leaves_a_partial_row_hides_the_spare_panels():
    fig = plot_confusion_matrices(Y_TRUE, Y_PRED, NAMES, ncols=4)
    assert grid_shape(fig) == (3, 4)
    assert [ax.get_title() for ax in visible_axes(fig)] == NAMES


def test_default_keeps_at_most_five_panels_per_row():
    fig = plot_confusion_matrices(Y_TRUE, Y_PRED, NAMES)
    assert grid_shape(fig) == (2, 5)


def test_counts_and_tick_labels_are_at_least_ten_points():
    fig = plot_confusion_matrices(Y_TRUE, Y_PRED, NAMES, ncols=2)
    for ax in visible_axes(fig):
        assert min(t.get_fontsize() for t in ax.texts) >= 10
        ticks = ax.get_xticklabels() + ax.get_yticklabels()
        assert min(t.get_fontsize() for t in ticks) >= 10
        assert ax.xaxis.label.get_fontsize() >= 10 and ax.yaxis.label.get_fontsize() >= 10


def test_each_panel_shows_scikit_learns_counts_in_its_cells():
    expected = multilabel_confusion_matrix(Y_TRUE, Y_PRED)  # [[TN, FP], [FN, TP]] per label
    fig = plot_confusion_matrices(Y_TRUE, Y_PRED, NAMES, ncols=2)
    for ax, matrix in zip(visible_axes(fig), expected):
        shown = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text()) for t in ax.texts}
        assert shown == {(i, j): int(matrix[i, j]) for i in range(2) for j in range(2)}


def test_hand_counts_of_one_label():
    # label 0: TN = 1 (row 0), FP = 2 (rows 1-2), FN = 0, TP = 3 (rows 3-5)
    y_true = np.array([[0], [0], [0], [1], [1], [1]])
    y_pred = np.array([[0], [1], [1], [1], [1], [1]])
    fig = plot_confusion_matrices(y_true, y_pred, ["only"], ncols=2)
    (ax,) = visible_axes(fig)
    shown = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert shown == {(0, 0): "1", (0, 1): "2", (1, 0): "0", (1, 1): "3"}


@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_rejects_a_bad_ncols(bad, error):
    with pytest.raises(error, match="ncols"):
        plot_confusion_matrices(Y_TRUE, Y_PRED, NAMES, ncols=bad)


# --- bad inputs (the former tools/bad_inputs_table.py) ---------------------------------------------
# The table's cases that the tests above did not already cover, with its criterion: the exception
# type, and a message that starts with the argument's name.

@pytest.mark.parametrize(
    "call, error, argument, message",
    [
        pytest.param(lambda: plot_label_frequency(EXAMPLE.y_true, ["cat", "cat", "dog"]), ValueError, "label_names",
                     "label_names: expected distinct names, got ['cat'] more than once",
                     id="plot_label_frequency_duplicate_names"),
        pytest.param(lambda: plot_image_grid(X[..., :2], Y), ValueError, "X",
                     "X: expected 1 (grey), 3 (RGB) or 4 (RGBA) channels in the last axis, got shape (12, 32, 32, 2)",
                     id="plot_image_grid_2_channels"),
        pytest.param(lambda: plot_image_grid(X[None], Y), ValueError, "X",
                     "X: expected images of shape (n, height, width[, channels]), got (1, 12, 32, 32, 3)",
                     id="plot_image_grid_5d"),
    ],
)
def test_plots_refuse_bad_inputs_by_name(call, error, argument, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value).startswith(f"{argument}: ")
    assert str(caught.value) == message


# -- the book's one style (issue 20, point 9) -------------------------------------------------------

# Okabe and Ito (2008), "Color Universal Design", as hex codes: the palette is typed here by hand.
PUBLISHED_OKABE_ITO = {"#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000", "#f0e442"}


@pytest.fixture
def book_style():
    with matplotlib.rc_context():
        use_book_style()
        yield


def test_book_style_cycles_okabe_ito_colours_each_with_its_own_line_style(book_style):
    cycle = list(matplotlib.rcParams["axes.prop_cycle"])
    assert {to_hex(entry["color"]) for entry in cycle} == PUBLISHED_OKABE_ITO
    assert len(cycle) == 8
    assert len({str(entry["linestyle"]) for entry in cycle}) == 8          # lines differ without colour
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [k, k])[0] for k in range(9)]
    assert to_hex(lines[0].get_color()) == "#0072b2" and lines[0].get_linestyle() == "-"
    assert to_hex(lines[1].get_color()) == "#e69f00" and lines[1].get_linestyle() == "--"
    assert to_hex(lines[8].get_color()) == to_hex(lines[0].get_color())  # the cycle starts again
    assert to_hex(ax.bar([0], [1])[0].get_facecolor()) in PUBLISHED_OKABE_ITO


def test_book_style_text_is_at_least_ten_points(book_style):
    fig, ax = plt.subplots()
    ax.set_title("t")
    ax.set_xlabel("x")
    ax.plot([0, 1], [0, 1], label="a")
    legend = ax.legend()
    sizes = [ax.title.get_fontsize(), ax.xaxis.label.get_fontsize(), legend.get_texts()[0].get_fontsize()]
    sizes += [t.get_fontsize() for t in ax.get_xticklabels()]
    assert min(sizes) >= 10
    assert all(BOOK_STYLE[key] >= 10 for key in BOOK_STYLE if key.endswith("size"))


def test_book_style_is_applied_by_the_call_not_by_the_import():
    # A fresh interpreter: importing the module leaves matplotlib's defaults alone, the call sets the style.
    import subprocess
    import sys

    code = ("import matplotlib; import mlc_utils.plotting as p; first = lambda: matplotlib.colors.to_hex("
            "matplotlib.rcParams['axes.prop_cycle'].by_key()['color'][0]); print(first()); "
            "p.use_book_style(); print(first())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [to_hex("tab:blue"), "#0072b2"]
