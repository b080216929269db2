"""Small, labelled matplotlib figures for the chapters. Each function returns its Figure.

No function calls ``plt.show()``: the notebook decides when to show (``plt.show()``).
``use_book_style()`` sets the book's one colour-blind-safe style (the set-up cell of every chapter
calls it): Okabe and Ito's colours, a line style per colour, and fonts that stay legible on a phone.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.figure import Figure

from ._validation import (
    _as_numeric_array,
    check_int,
    check_label_names,
    check_labels,
    check_same_shape,
    check_scores,
)
from .data import DIGIT_NAMES

__all__ = [
    "OKABE_ITO",
    "BOOK_STYLE",
    "use_book_style",
    "plot_image_grid",
    "plot_label_frequency",
    "plot_cooccurrence",
    "plot_learning_curves",
    "plot_pr_curves",
    "plot_confusion_matrices",
]


#: Okabe and Ito's palette, told apart with every common colour-vision deficiency. The book's colour
#: cycle takes them in this order ("C0" is blue, "C1" orange, "C2" green, "C3" vermillion, ...).
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish green": "#009E73",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "black": "#000000",
    "yellow": "#F0E442",
}
# One line style per colour, so that lines differ in print and without colour too.
_LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 3))]

#: The book's matplotlib settings (``use_book_style`` applies them): colour and line style cycle
#: together; text is at least 10 pt at the figure's own size.
BOOK_STYLE = {
    "axes.prop_cycle": cycler(color=list(OKABE_ITO.values())) + cycler(linestyle=_LINESTYLES),
    "lines.linewidth": 1.8,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 12,
}


def use_book_style() -> None:
    """Apply ``BOOK_STYLE`` to matplotlib for this session (the set-up cell of each chapter calls it).

    Sequential data keep ``viridis`` or ``Blues``; categories take the Okabe-Ito colours, each with its
    own line style, and two states are never told apart by colour alone (add hatching or text).
    """
    mpl.rcParams.update(BOOK_STYLE)


def _check_images(X: Any) -> np.ndarray:
    """Images as imshow shows them faithfully: uint8 0-255 or floats in [0, 1], channels last."""
    X = _as_numeric_array(X, "X")
    if X.ndim not in (3, 4):
        raise ValueError(f"X: expected images of shape (n, height, width[, channels]), got {X.shape}")
    if X.ndim == 4 and X.shape[-1] not in (1, 3, 4):
        hint = ""
        if X.shape[1] in (1, 3, 4):
            hint = "; these look channels-first: use np.moveaxis(X, 1, -1)"
        raise ValueError(f"X: expected 1 (grey), 3 (RGB) or 4 (RGBA) channels in the last axis, "
                         f"got shape {X.shape}{hint}")
    if X.ndim == 4 and X.shape[-1] == 1:
        X = X[..., 0]
    if X.dtype == np.uint8:
        return X
    if not np.issubdtype(X.dtype, np.floating):
        raise TypeError(f"X: expected uint8 images (0-255) or float images in [0, 1], got dtype {X.dtype} "
                        "(for values 0-255 use X.astype(np.uint8))")
    if not np.all(np.isfinite(X)):
        raise ValueError("X: expected float images in [0, 1], found NaN or infinity")
    if X.min() < 0 or X.max() > 1:
        raise ValueError(f"X: expected float images in [0, 1], found values in [{X.min():.4g}, "
                         f"{X.max():.4g}] (for values 0-255 divide by 255 or use X.astype(np.uint8))")
    return X


def _names_of(row: np.ndarray, names: Sequence[str]) -> str:
    chosen = [names[j] for j in np.flatnonzero(row)]
    return ", ".join(chosen) if chosen else "(none)"


def plot_image_grid(
    X: Any,
    Y: Any,
    label_names: Sequence[str] = DIGIT_NAMES,
    *,
    n: int = 16,
    y_pred: Any = None,
    ncols: int = 8,
) -> Figure:
    """The first ``n`` images of ``X`` (n_samples, height, width, 3) titled with their label names.

    ``X`` holds uint8 images (0-255) or float images in [0, 1], channels last: (n, h, w, 3) RGB,
    (n, h, w, 4) RGBA, or (n, h, w) / (n, h, w, 1) grey. Anything else is refused with a hint.

    ``Y`` (n_samples, n_labels) 0/1. With ``y_pred`` (same shape as ``Y``, 0/1) each title shows
    the true labels and, below, the predicted ones; a title is vermillion and bold when the
    prediction is wrong (two cues, not colour alone).
    """
    X = _check_images(X)
    Y = check_labels(Y, "Y")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"Y: expected {X.shape[0]} rows (one per image in X), got {Y.shape[0]}")
    names = check_label_names(label_names, Y.shape[1])
    n = check_int(n, "n", minimum=1)
    ncols = check_int(ncols, "ncols", minimum=1)
    if y_pred is not None:
        y_pred = check_labels(y_pred, "y_pred")
        check_same_shape(Y, y_pred, "Y", "y_pred")
    n = min(n, X.shape[0])
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    height = 1.9 if y_pred is not None else 1.6
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols, height * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        # Grey images on a fixed scale (black = 0, white = 1 or 255), not stretched to their range.
        top = 255 if X.dtype == np.uint8 else 1
        ax.imshow(X[i], cmap="gray" if X.ndim == 3 else None, vmin=0, vmax=top)
        title = _names_of(Y[i], names)
        right = y_pred is None or np.array_equal(Y[i], y_pred[i])
        if y_pred is not None:
            title = f"true: {title}\npred: {_names_of(y_pred[i], names)}"
        ax.set_title(title, fontsize=7, color="black" if right else OKABE_ITO["vermillion"],
                     fontweight="normal" if right else "bold")
    fig.tight_layout()
    return fig


def plot_label_frequency(Y: Any, label_names: Sequence[str]) -> Figure:
    """Bar chart of how many samples carry each label. ``Y`` (n_samples, n_labels) 0/1."""
    Y = check_labels(Y, "Y")
    names = check_label_names(label_names, Y.shape[1])
    counts = Y.sum(axis=0)
    fig, ax = plt.subplots(figsize=(max(4.0, 0.45 * len(names) + 1.5), 3))
    ax.bar(np.arange(len(names)), counts, color=OKABE_ITO["blue"])
    ax.set_xticks(np.arange(len(names)), names, rotation=45, ha="right")
    ax.set_xlabel("label")
    ax.set_ylabel("number of samples")
    ax.set_title(f"Label frequency ({Y.shape[0]} samples)")
    fig.tight_layout()
    return fig


def plot_cooccurrence(Y: Any, label_names: Sequence[str]) -> Figure:
    """Heatmap of the co-occurrence matrix ``Y.T @ Y`` (diagonal: label counts), annotated."""
    Y = check_labels(Y, "Y")
    names = check_label_names(label_names, Y.shape[1])
    matrix = Y.astype(np.int64).T @ Y.astype(np.int64)
    size = max(3.5, 0.45 * len(names) + 1.5)
    fig, ax = plt.subplots(figsize=(size + 0.8, size))
    image = ax.imshow(matrix, cmap="Blues")
    ticks = np.arange(len(names))
    ax.set_xticks(ticks, names, rotation=45, ha="right")
    ax.set_yticks(ticks, names)
    if len(names) <= 15:
        threshold = matrix.max() / 2 if matrix.max() else 1
        for i in range(len(names)):
            for j in range(len(names)):
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=10 if len(names) <= 10 else 8,
                        color="white" if matrix[i, j] > threshold else "black")
    ax.set_xlabel("label")
    ax.set_ylabel("label")
    ax.set_title("Label co-occurrence (samples with both)")
    fig.colorbar(image, ax=ax, shrink=0.8, label="samples")
    fig.tight_layout()
    return fig


def plot_learning_curves(history: Any, metrics: Sequence[str] = ("loss", "accuracy")) -> Figure:
    """One panel per metric with its training and (if present) validation curve, per epoch.

    ``history`` is a Keras ``History`` (what ``fit`` returns) or its ``.history`` dict of lists.
    Training is solid with circles, validation dashed with squares; one legend below the panels.
    """
    if hasattr(history, "history") and isinstance(history.history, dict):
        history = history.history
    if not isinstance(history, dict):
        raise TypeError(f"history: expected a keras History or a dict of lists, got {type(history).__name__}")
    if isinstance(metrics, str) or not hasattr(metrics, "__iter__"):
        raise TypeError(f"metrics: expected a sequence of metric names, got {metrics!r}")
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics: expected at least one metric name")
    for name in metrics:
        if name not in history:
            raise ValueError(f"metrics: {name!r} is not in history (it has {sorted(history)})")
    curves = {}
    for key in [m for name in metrics for m in (name, f"val_{name}") if m in history]:
        values = _as_numeric_array(history[key], f"history[{key!r}]").astype(float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"history[{key!r}]: expected a non-empty list of numbers (one per epoch), "
                             f"got shape {values.shape}")
        curves[key] = values
    for name in metrics:
        if f"val_{name}" in curves and curves[f"val_{name}"].size != curves[name].size:
            raise ValueError(f"history: {'val_' + name!r} has {curves['val_' + name].size} values but "
                             f"{name!r} has {curves[name].size} (one per epoch each)")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False,
                             layout="constrained")
    for ax, name in zip(axes.flat, metrics):
        values = curves[name]
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, color=OKABE_ITO["blue"], linestyle="-", marker="o", markersize=4,
                label="training")
        if f"val_{name}" in curves:
            ax.plot(epochs, curves[f"val_{name}"], color=OKABE_ITO["orange"], linestyle="--", marker="s",
                    markersize=4, label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_title(name.replace("_", " "))
        ax.xaxis.get_major_locator().set_params(integer=True)
    # One legend for the figure, below the panels, where it cannot cover a curve.
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles))
    return fig


def plot_pr_curves(
    y_true: Any, y_score: Any, label_names: Sequence[str], *, ncols: int = 2
) -> Figure:
    """Precision-recall curves (scikit-learn's ``precision_recall_curve``), one small panel per label.

    ``y_true`` (n_samples, n_labels) 0/1, ``y_score`` the same shape in [0, 1]. Each panel draws its
    label's curve over the other labels' curves in light grey and has the label's AP in its title; a
    label with no positive sample has no curve and says "no positives". ``ncols`` panels per row
    (2 keeps them legible on a phone).
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    t = check_labels(y_true, "y_true")
    s = check_scores(y_score, "y_score")
    check_same_shape(t, s, "y_true", "y_score")
    names = check_label_names(label_names, t.shape[1])
    ncols = min(check_int(ncols, "ncols", minimum=1), len(names))
    curves = [precision_recall_curve(t[:, j], s[:, j])[:2] if t[:, j].any() else None
              for j in range(len(names))]
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.8 * ncols, 2.1 * nrows + 0.5), squeeze=False,
                             sharex=True, sharey=True, layout="constrained")
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for j, (ax, name) in enumerate(zip(axes.flat, names)):
        for other in curves:  # the other labels, faint, for comparison
            if other is not None and other is not curves[j]:
                ax.plot(other[1], other[0], color="0.85", linestyle="-", linewidth=0.8)
        if curves[j] is None:
            ax.set_title(f"{name} (no positives)", fontsize=11)
        else:
            precision, recall = curves[j]
            ap = average_precision_score(t[:, j], s[:, j])
            ax.plot(recall, precision, color=OKABE_ITO["blue"], linestyle="-", linewidth=2)
            ax.set_title(f"{name} (AP {ap:.2f})", fontsize=11)
        ax.set_xlim(0, 1.01)
        ax.set_ylim(0, 1.02)
        ax.tick_params(labelsize=10)
    for k, ax in enumerate(axes.flat[:len(names)]):
        if k + ncols >= len(names):  # nothing below it: the panel shows the recall axis
            ax.set_xlabel("recall", fontsize=11)
            ax.xaxis.set_tick_params(labelbottom=True)
        if k % ncols == 0:
            ax.set_ylabel("precision", fontsize=11)
    fig.suptitle("Precision-recall curve per label (grey: the other labels)", fontsize=12)
    return fig


def plot_confusion_matrices(
    y_true: Any, y_pred: Any, label_names: Sequence[str], *, ncols: int = 5
) -> Figure:
    """One 2x2 confusion matrix per label (scikit-learn's ``multilabel_confusion_matrix``).

    ``y_true`` and ``y_pred`` (n_samples, n_labels) 0/1. Rows: true no/yes; columns: predicted no/yes.
    ``ncols`` panels per row (fewer, e.g. 2, keep the counts legible on a phone).
    """
    from sklearn.metrics import multilabel_confusion_matrix

    t = check_labels(y_true, "y_true")
    p = check_labels(y_pred, "y_pred")
    check_same_shape(t, p, "y_true", "y_pred")
    names = check_label_names(label_names, t.shape[1])
    ncols = check_int(ncols, "ncols", minimum=1)
    if t.shape[1] == 1:  # scikit-learn reads one column as a binary target and returns 2 matrices
        matrices = multilabel_confusion_matrix(t[:, 0], p[:, 0], labels=[1])
    else:
        matrices = multilabel_confusion_matrix(t, p)
    ncols = min(ncols, len(names))
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.1 * ncols, 2.1 * nrows), squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for ax, name, matrix in zip(axes.flat, names, matrices):
        ax.imshow(matrix, cmap="Blues", vmin=0, vmax=max(1, matrix.max()))
        for i in range(2):
            for j in range(2):
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=12,
                        color="white" if matrix[i, j] > matrix.max() / 2 else "black")
        ax.set_xticks([0, 1], ["no", "yes"], fontsize=10)
        ax.set_yticks([0, 1], ["no", "yes"], fontsize=10)
        ax.set_xlabel("predicted", fontsize=10)
        ax.set_ylabel("true", fontsize=10)
        ax.set_title(name, fontsize=11)
    fig.suptitle("Confusion matrix per label", fontsize=12)
    fig.tight_layout()
    return fig
