import numpy as np
import pytest

from mlc_utils.labels import cooccurrence, label_cardinality, label_density, label_sets

Y = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1], [0, 0, 0]])


def test_cardinality_and_density():
    assert label_cardinality(Y) == pytest.approx(5 / 4)
    assert label_density(Y) == pytest.approx(5 / 12)


def test_label_sets_most_common_first_with_names():
    table = label_sets(Y, ["cat", "dog", "person"])
    assert list(table.columns) == ["labels", "count"]
    assert table["labels"].tolist() == [("cat", "person"), ("dog",), ()]
    assert table["count"].tolist() == [2, 1, 1]
    assert table["count"].sum() == len(Y)


def test_label_sets_without_names_uses_column_indices():
    assert label_sets(Y)["labels"].tolist()[0] == (0, 2)


def test_cooccurrence_is_yty_with_counts_on_the_diagonal():
    matrix = cooccurrence(Y)
    np.testing.assert_array_equal(matrix, Y.T @ Y)
    np.testing.assert_array_equal(np.diag(matrix), Y.sum(axis=0))
    assert matrix.dtype == np.int64


def test_accepts_booleans_and_lists():
    assert label_cardinality(Y.astype(bool).tolist()) == pytest.approx(1.25)


def test_rejects_one_dimensional_Y():
    with pytest.raises(ValueError, match="Y: expected a 2-D array"):
        label_cardinality([1, 0, 1])


def test_rejects_labels_other_than_0_1():
    with pytest.raises(ValueError, match="Y: expected only 0 and 1"):
        label_density([[0, 2], [1, 0]])


def test_rejects_empty_Y():
    with pytest.raises(ValueError, match="Y: expected a non-empty"):
        cooccurrence(np.zeros((0, 3)))


def test_rejects_text():
    with pytest.raises(TypeError, match="Y"):
        label_cardinality("cat dog")


def test_rejects_wrong_number_of_label_names():
    with pytest.raises(ValueError, match="label_names: expected 3 names"):
        label_sets(Y, ["cat", "dog"])


def test_label_sets_names_Y_when_it_refuses_it():
    with pytest.raises(ValueError, match=r"^Y: expected only 0 and 1 labels, found \[2\]"):
        label_sets([[0, 2], [1, 0]])


def test_label_sets_ties_keep_first_appearance_and_empty_rows_count():
    # {b} and {} once each, {a, b} twice: most common first, then in order of first appearance.
    table = label_sets([[0, 1], [1, 1], [0, 0], [1, 1]], ["a", "b"])
    assert table["labels"].tolist() == [("a", "b"), ("b",), ()]
    assert table["count"].tolist() == [2, 1, 1]


def test_label_names_refusals_in_full():
    with pytest.raises(TypeError, match=r"^label_names: expected a sequence of 3 names, got str$"):
        label_sets(Y, "abc")
    with pytest.raises(TypeError, match=r"^label_names: expected a sequence of names$"):
        label_sets(Y, 5)
    with pytest.raises(TypeError, match=r"^label_names: expected an ordered sequence \(a list or tuple\) of 3 "
                                        r"names, one per column in order, got a set \(its order is arbitrary\)$"):
        label_sets(Y, {"a", "b", "c"})
