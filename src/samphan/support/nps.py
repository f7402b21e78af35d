"""Net Promoter Score from the 0-10 answers: the share of promoters (9-10) less the share of
detractors (0-6), in points, with a 95% confidence interval.

The score is the mean of a variable worth +1 (promoter), 0 (passive) or -1 (detractor);
its variance is p + d - (p - d)^2 (p, d: the shares), so the interval is
NPS ± 1.96 × sqrt(variance / n), the normal approximation to that mean (Rocks, "The Net
Promoter Score's sampling error", 2016). Too few answers (under 10) give no interval."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Z95 = 1.959964
FEWEST = 10


@dataclass(frozen=True)
class Nps:
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        if not self.answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.answers

    @property
    def margin(self) -> float | None:
        """Half the 95% interval, in points."""
        if self.answers < FEWEST:
            return None
        p, d = self.promoters / self.answers, self.detractors / self.answers
        variance = p + d - (p - d) ** 2
        return 100 * Z95 * math.sqrt(variance / self.answers)


def nps_of(scores: list[int]) -> Nps:
    return Nps(
        answers=len(scores),
        promoters=sum(score >= 9 for score in scores),
        passives=sum(7 <= score <= 8 for score in scores),
        detractors=sum(score <= 6 for score in scores),
    )


def nps_by(pairs: Iterable[tuple[Any, int]]) -> list[tuple[Any, Nps]]:
    """The score for each key of (key, score) pairs (the tier, the month …), the most
    answered first."""
    groups: dict[Any, list[int]] = {}
    for key, score in pairs:
        groups.setdefault(key, []).append(score)
    return sorted(
        ((key, nps_of(scores)) for key, scores in groups.items()), key=lambda kv: -kv[1].answers
    )
