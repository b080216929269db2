import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from mlc_utils.data import DIGIT_NAMES, make_multidigits, toy_photos
from mlc_utils.plotting import (
    plot_confusion_matrices,
    plot_cooccurrence,
    plot_image_grid,
    plot_label_frequency,
    plot_learning_curves,
    plot_pr_curves,
)

X, Y = make_multidigits(12, seed=1)
EXAMPLE = toy_photos()
HISTORY = {"loss": [0.6, 0.4, 0.3], "val_loss": [0.6, 0.5, 0.45], "accuracy": [0.8, 0.9, 0.93],
           "val_accuracy": [0.8, 0.88, 0.9]}


@pytest.fixture(autouse=True)
def no_show_and_close(monkeypatch):
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
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert all(any(t.startswith(name) for t in legend) for name in EXAMPLE.label_names)
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
