"""Multi-label metrics that scikit-learn lacks, and one fast report of the usual fifteen.

Conventions: ``y_true`` is a (n_samples, n_labels) matrix of 0/1, ``y_score`` a matrix of the same
shape of probabilities in [0, 1], and a label is predicted when ``y_score >= threshold``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._counting import counts, divide, f1, jaccard, precision, recall
from ._validation import check_labels_and_scores, check_thresholds, predict

__all__ = ["one_error", "coverage", "multilabel_report", "REPORT_KEYS"]

REPORT_KEYS: tuple[str, ...] = (
    "subset_accuracy",
    "hamming_loss",
    "precision_micro",
    "recall_micro",
    "f1_micro",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "f1_weighted",
    "f1_samples",
    "jaccard_samples",
    "one_error",
    "coverage",
    "ranking_loss",
    "label_ranking_average_precision",
)


def _one_error(t: np.ndarray, s: np.ndarray) -> float:
    top = np.argmax(s, axis=1)
    return float(np.mean(~t[np.arange(t.shape[0]), top]))


def one_error(y_true: Any, y_score: Any) -> float:
    """Fraction of samples whose top-scored label is not one of their true labels.

    ``y_true`` (n_samples, n_labels) 0/1, ``y_score`` the same shape in [0, 1]. Lower is better.
    When several labels share the top score, the first of them (lowest column index) counts, as
    ``np.argmax`` does. A sample with no true label always counts as an error. Not in scikit-learn.
    """
    t, s = check_labels_and_scores(y_true, y_score)
    return _one_error(t, s)


def _sorted_ranks(t: np.ndarray, s: np.ndarray):
    """Shared work of the ranking metrics: sort each row's scores once.

    Returns, in ascending score order per row: ``rel`` (is the label relevant), ``first`` and
    ``last`` (index of the first/last position of each position's tie group) and ``suffix``
    (number of relevant labels at this position or after, with an extra 0 column at the end).
    """
    n, L = s.shape
    order = np.argsort(s, axis=1, kind="stable")
    sorted_s = np.take_along_axis(s, order, axis=1)
    rel = np.take_along_axis(t, order, axis=1)
    positions = np.broadcast_to(np.arange(L), (n, L))
    new_group = np.ones((n, L), dtype=bool)
    new_group[:, 1:] = sorted_s[:, 1:] != sorted_s[:, :-1]
    first = np.maximum.accumulate(np.where(new_group, positions, 0), axis=1)
    end_group = np.ones((n, L), dtype=bool)
    end_group[:, :-1] = new_group[:, 1:]
    last = np.minimum.accumulate(np.where(end_group, positions, L - 1)[:, ::-1], axis=1)[:, ::-1]
    suffix = np.zeros((n, L + 1), dtype=np.int64)
    suffix[:, :L] = np.cumsum(rel[:, ::-1], axis=1)[:, ::-1]
    return rel, first, last, suffix


def _coverage(t, rel, first, n_pos) -> float:
    """Coverage, top label = step 0; rows without relevant labels count 0 (nothing to cover)."""
    L = t.shape[1]
    lowest_relevant = np.argmax(rel, axis=1)  # first relevant position in ascending order
    first_of_group = first[np.arange(t.shape[0]), lowest_relevant]
    per_row = np.where(n_pos > 0, L - first_of_group - 1, 0)
    return float(per_row.mean())


def _ranking_loss(rel, last, suffix, n_pos) -> float:
    """scikit-learn's ``label_ranking_loss``: (relevant, irrelevant) pairs with irrelevant >= relevant."""
    L = rel.shape[1]
    # For each irrelevant label: relevant labels scored <= it = n_pos - relevant scored strictly above.
    above = np.take_along_axis(suffix, last + 1, axis=1)
    wrong = np.where(~rel, n_pos[:, None] - above, 0).sum(axis=1)
    pairs = n_pos * (L - n_pos)
    loss = divide(wrong, pairs)
    return float(loss.mean())


def _lrap(rel, first, suffix, n_pos) -> float:
    """scikit-learn's ``label_ranking_average_precision_score`` (rows with 0 or all labels count 1)."""
    L = rel.shape[1]
    rank = L - first                                          # labels scored >= this one
    relevant_at_or_above = np.take_along_axis(suffix, first, axis=1)
    ratio = np.where(rel, relevant_at_or_above / rank, 0.0).sum(axis=1)
    per_row = np.where((n_pos == 0) | (n_pos == L), 1.0, divide(ratio, n_pos))
    return float(per_row.mean())


def coverage(y_true: Any, y_score: Any) -> float:
    """Coverage in the convention of the multi-label literature (Zhang & Zhou): lower is better.

    For each sample, how far down the ranked label list one must go to cover all its true labels,
    counting the top label as step 0; averaged over samples. This is scikit-learn's
    ``coverage_error(y_true, y_score) - 1`` whenever every sample has a true label (scikit-learn
    counts the top label as 1, so its best value is 1 where ours is 0). Ties count pessimistically
    (all tied labels are covered), as in scikit-learn. A sample without any true label has nothing
    to cover and contributes 0, the best value (scikit-learn's ``coverage_error`` also counts it 0;
    subtracting 1 from that would give an impossible -1). So in general
    ``coverage == mean(max(per-sample coverage_error - 1, 0))``.
    ``y_true`` (n_samples, n_labels) 0/1, ``y_score`` the same shape in [0, 1].
    """
    t, s = check_labels_and_scores(y_true, y_score)
    rel, first, _, _ = _sorted_ranks(t, s)
    return _coverage(t, rel, first, t.sum(axis=1))


def multilabel_report(y_true: Any, y_score: Any, threshold: Any = 0.5) -> dict[str, float]:
    """The fifteen usual multi-label metrics in one pass, as a dict of floats.

    ``y_true`` (n_samples, n_labels) 0/1; ``y_score`` the same shape in [0, 1]; ``threshold`` a
    scalar or an array of shape (n_labels,) in [0, 1] (predicted: ``y_score >= threshold``,
    compared in the scores' precision as NumPy does: float32 scores meet float32(threshold)).
    Keys (see ``REPORT_KEYS``): subset_accuracy, hamming_loss, precision/recall/f1 with micro and
    macro averages, f1_weighted, f1_samples, jaccard_samples (all with scikit-learn's
    ``zero_division=0``), and the ranking metrics one_error, coverage (literature convention:
    scikit-learn's ``coverage_error - 1``; see ``coverage``), ranking_loss and
    label_ranking_average_precision.
    Every value equals the scikit-learn function of the same name wherever scikit-learn has one.
    Inputs are validated once, thresholded once, and the ranking metrics share one sort per row,
    so this is several times faster than the fifteen scikit-learn calls.
    """
    t, s = check_labels_and_scores(y_true, y_score)
    thr = check_thresholds(threshold, t.shape[1], "threshold")
    p = predict(s, thr)

    tp_l, true_l, pred_l = counts(t, p, axis=0)  # per label
    tp_s, true_s, pred_s = counts(t, p, axis=1)  # per sample
    TP, TRUE, PRED = tp_l.sum(), true_l.sum(), pred_l.sum()

    precision_l = precision(tp_l, true_l, pred_l)
    recall_l = recall(tp_l, true_l, pred_l)
    f1_l = f1(tp_l, true_l, pred_l)
    errors = TRUE + PRED - 2 * TP

    rel, first, last, suffix = _sorted_ranks(t, s)
    report = {
        "subset_accuracy": float(np.mean((true_s == tp_s) & (pred_s == tp_s))),
        "hamming_loss": float(errors / t.size),
        "precision_micro": float(precision(TP, TRUE, PRED)),
        "recall_micro": float(recall(TP, TRUE, PRED)),
        "f1_micro": float(f1(TP, TRUE, PRED)),
        "precision_macro": float(precision_l.mean()),
        "recall_macro": float(recall_l.mean()),
        "f1_macro": float(f1_l.mean()),
        "f1_weighted": float(divide((f1_l * true_l).sum(), TRUE)),
        "f1_samples": float(f1(tp_s, true_s, pred_s).mean()),
        "jaccard_samples": float(jaccard(tp_s, true_s, pred_s).mean()),
        "one_error": _one_error(t, s),
        "coverage": _coverage(t, rel, first, true_s),
        "ranking_loss": _ranking_loss(rel, last, suffix, true_s),
        "label_ranking_average_precision": _lrap(rel, first, suffix, true_s),
    }
    return report
