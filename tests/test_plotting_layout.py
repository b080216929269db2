"""Layout of the per-label confusion matrices: panels per row, legible fonts, counts that are right.

Chapter 6 draws ten matrices; five per row left the counts at about 5 px on a desktop page and 3 px
on a phone, so ``plot_confusion_matrices`` takes ``ncols=``. Expectations come from scikit-learn's
``multilabel_confusion_matrix`` and hand-built data, not from the helper itself.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.metrics import multilabel_confusion_matrix

from mlc_utils.plotting import plot_confusion_matrices

NAMES = [f"label {j}" for j in range(10)]
RNG = np.random.default_rng(0)
Y_TRUE = RNG.integers(0, 2, size=(60, 10))
Y_PRED = RNG.integers(0, 2, size=(60, 10))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


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
