"""The statistics of an A/B test: a two-proportion z-test with a confidence interval for
the difference, and the sample size each group needs to detect the smallest effect worth
knowing about. Normal approximations, as every A/B tool uses for rates of this size."""

import math
from dataclasses import dataclass
from statistics import NormalDist

# The standard normal from the standard library, not SciPy: SciPy takes seconds to load on
# a busy machine, and these figures are shown in a page's request. The same figures: the
# quantiles by the same algorithm's precision, the tails by erfc (as SciPy's ``sf``; one
# minus the cdf would read 0 far out).
STANDARD_NORMAL = NormalDist()

ALPHA = 0.05  # two-sided
POWER = 0.8


@dataclass(frozen=True)
class Comparison:
    rate_a: float
    rate_b: float
    difference: float  # b - a
    low: float  # the difference's confidence interval
    high: float
    z: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA

    # In percentage points, as people read rates.
    @property
    def points(self) -> float:
        return 100 * self.difference

    @property
    def low_points(self) -> float:
        return 100 * self.low

    @property
    def high_points(self) -> float:
        return 100 * self.high


def two_proportions(successes_a: int, n_a: int, successes_b: int, n_b: int) -> Comparison | None:
    """B against A: z and p from the pooled rate (the test), the interval from each
    group's own variance (the estimate). None when a group is empty."""
    if n_a <= 0 or n_b <= 0:
        return None
    rate_a, rate_b = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    difference = rate_b - rate_a
    if pooled_se == 0:
        z, p_value = 0.0, 1.0
    else:
        z = difference / pooled_se
        p_value = math.erfc(abs(z) / math.sqrt(2))  # both tails: 2 × (1 - Φ(|z|))
    se = math.sqrt(rate_a * (1 - rate_a) / n_a + rate_b * (1 - rate_b) / n_b)
    margin = STANDARD_NORMAL.inv_cdf(1 - ALPHA / 2) * se
    return Comparison(
        rate_a, rate_b, difference, difference - margin, difference + margin, z, p_value
    )


def sample_size(baseline: float, effect: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Recipients each group needs to detect a change of ``effect`` (absolute, 0.02 for two
    points) from the rate ``baseline`` (0.05) with the given power, two-sided."""
    if not 0 < baseline < 1 or effect <= 0 or baseline + effect >= 1:
        raise ValueError("baseline in (0, 1), effect > 0 and baseline + effect < 1")
    other = baseline + effect
    z_alpha, z_power = STANDARD_NORMAL.inv_cdf(1 - alpha / 2), STANDARD_NORMAL.inv_cdf(power)
    mean = (baseline + other) / 2
    root = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_power * math.sqrt(
        baseline * (1 - baseline) + other * (1 - other)
    )
    return math.ceil(root**2 / effect**2)
