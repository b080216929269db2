"""mlc_utils._tensorflow: TensorFlow and Keras imported once, quietly, and the one quieting helper."""

import warnings

import pytest

from mlc_utils import _tensorflow


def test_it_hands_out_tensorflow_and_keras():
    import keras
    import tensorflow

    assert _tensorflow.tf is tensorflow and _tensorflow.keras is keras


@pytest.mark.parametrize("category, message", [
    (DeprecationWarning, "__array__ implementation doesn't accept a copy keyword, so passing copy=False failed."),
    (UserWarning, "Skipping variable loading for optimizer 'adam', because it has 2 variables whereas the saved "
                  "optimizer has 10 variables."),
])
def test_quiet_keras_silences_the_noise_keras_makes_inside_its_own_code(category, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _tensorflow.quiet_keras():
            warnings.warn(message, category)
    assert caught == []


@pytest.mark.parametrize("category, message", [
    (DeprecationWarning, "some other deprecation"),
    (UserWarning, "a warning about the reader's own data"),
    (RuntimeWarning, "__array__ implementation doesn't accept a copy keyword"),  # right text, other category
])
def test_quiet_keras_lets_every_other_warning_through(category, message):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _tensorflow.quiet_keras():
            warnings.warn(message, category)
    assert [(w.category, str(w.message)) for w in caught] == [(category, message)]


def test_quiet_keras_restores_the_warning_filters_after_the_block():
    before = list(warnings.filters)
    with _tensorflow.quiet_keras():
        pass
    assert warnings.filters == before
