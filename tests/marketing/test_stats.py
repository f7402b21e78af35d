"""The A/B statistics use the standard library's normal distribution (SciPy is too heavy
to load in a request); they must give SciPy's figures, which this test computes apart
(SciPy stays installed: statsmodels needs it)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from samphan.marketing.stats import ALPHA, POWER, sample_size, two_proportions


def scipy_two_proportions(a: int, n_a: int, b: int, n_b: int) -> tuple[float, float, float]:
    """The test's p-value and the interval of the difference, by SciPy."""
    rate_a, rate_b = a / n_a, b / n_b
    pooled = (a + b) / (n_a + n_b)
    z = (rate_b - rate_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    margin = norm.ppf(1 - ALPHA / 2) * math.sqrt(
        rate_a * (1 - rate_a) / n_a + rate_b * (1 - rate_b) / n_b
    )
    return 2 * norm.sf(abs(z)), rate_b - rate_a - margin, rate_b - rate_a + margin


@given(
    n_a=st.integers(2, 100_000),
    n_b=st.integers(2, 100_000),
    share_a=st.floats(0.001, 0.999),
    share_b=st.floats(0.001, 0.999),
)
def test_two_proportions_gives_scipys_figures(n_a, n_b, share_a, share_b):
    a, b = round(n_a * share_a), round(n_b * share_b)
    if a + b in (0, n_a + n_b):  # nobody or everyone: no variance, p is 1 by definition
        return
    found = two_proportions(a, n_a, b, n_b)
    assert found is not None
    p_value, low, high = scipy_two_proportions(a, n_a, b, n_b)
    assert found.p_value == pytest.approx(p_value, rel=1e-9, abs=1e-300)
    assert (found.low, found.high) == (
        pytest.approx(low, abs=1e-12),
        pytest.approx(high, abs=1e-12),
    )


def test_a_tiny_p_value_is_not_rounded_to_zero():
    """Far in the tail, 1 - cdf would read 0; the tail itself is kept (as SciPy's sf)."""
    found = two_proportions(100, 10_000, 900, 10_000)
    assert found is not None
    assert 0 < found.p_value == pytest.approx(scipy_two_proportions(100, 10_000, 900, 10_000)[0])


@given(baseline=st.floats(0.005, 0.9), effect=st.floats(0.005, 0.09))
def test_sample_size_gives_scipys_figure(baseline, effect):
    if baseline + effect >= 1:
        return
    other = baseline + effect
    mean = (baseline + other) / 2
    root = norm.ppf(1 - ALPHA / 2) * math.sqrt(2 * mean * (1 - mean)) + norm.ppf(POWER) * math.sqrt(
        baseline * (1 - baseline) + other * (1 - other)
    )
    expected = root**2 / effect**2
    found = sample_size(baseline, effect)
    # The same whole number, unless SciPy's figure sits within rounding of an integer.
    assert found == math.ceil(expected) or abs(expected - round(expected)) < 1e-6
