"""The learner report's memory section: the fsrs model in use, true retention, calibration,
the workload a retention target costs, and a year of review days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from markupsafe import Markup

from studybuddy.memory import fitting, retention, workload
from studybuddy.reports.review_heatmap import heatmap_svg, year_grid


@dataclass(frozen=True)
class MemorySection:
    model: str  # which parameters schedule this learner, in words
    problem: str | None  # a stored fit that could not be read
    desired_retention: float
    counted: int
    minimum: int
    recent: list[retention.TrueRetention]
    calibration: list[retention.CalibrationBin]
    calibration_svg: Markup | None
    workload: list[workload.Workload]
    heatmap: Markup
    review_days: int  # days with a review in the heatmap's year
    busiest: tuple[int, date | None]  # (reviews, day) of its busiest day


def calibration_svg(bins: list[retention.CalibrationBin]) -> Markup | None:
    """Predicted (x) against remembered (y); on the diagonal the model is right."""
    if not bins:
        return None
    size, pad = 200, 28

    def point(value: float) -> float:
        return pad + value * (size - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
        'aria-label="Predicted recall against the share remembered">',
        f'<line x1="{point(0)}" y1="{size - point(0)}" x2="{point(1)}" y2="{size - point(1)}" '
        'stroke="#cbd5e0" stroke-dasharray="3 3"/>',
        f'<text x="{size / 2}" y="{size - 6}" font-size="9" text-anchor="middle" '
        'fill="#718096">predicted recall</text>',
        f'<text x="9" y="{size / 2}" font-size="9" text-anchor="middle" fill="#718096" '
        f'transform="rotate(-90 9 {size / 2})">share remembered</text>',
    ]
    largest = max(b.reviews for b in bins)
    for b in bins:
        radius = 2 + 5 * (b.reviews / largest) ** 0.5
        parts.append(
            f'<circle cx="{point(b.predicted):.1f}" cy="{size - point(b.remembered):.1f}" '
            f'r="{radius:.1f}" fill="#2b6cb0" fill-opacity="0.7"><title>{b.reviews} reviews: '
            f"predicted {b.predicted:.0%}, remembered {b.remembered:.0%}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def build(
    store, learner: str, *, now: datetime, tz: tzinfo, since: datetime | None = None
) -> MemorySection:
    """The section from the memory domain's figures (service.overview); `since` limits true
    retention, calibration and the heatmap as it limits the rest of the report."""
    from studybuddy.memory import service

    found = service.overview(store, learner, now=now, since=since, tz=tz)
    current = found.model
    if current.fit is not None:
        fit = current.fit
        words = (
            f"fitted to these reviews on {fit.fitted_at.astimezone(tz):%Y-%m-%d} "
            f"({fit.reviews:,} reviews; log loss {fit.log_loss_before:.3f} with fsrs's "
            f"defaults, {fit.log_loss_after:.3f} fitted)"
        )
    else:
        words = "fsrs's defaults"
    # the simulator looks ahead from the cards as they are now, whatever `since` says
    table, _desired, _suggestion = service.workload_for(store, found.learner, now=now)
    grid = year_grid(found.review_days, now.astimezone(tz).date())
    return MemorySection(
        model=words,
        problem=current.problem,
        desired_retention=found.desired_retention,
        counted=found.counted,
        minimum=fitting.MIN_REVIEWS,
        recent=found.recent,
        calibration=found.calibration,
        calibration_svg=calibration_svg(found.calibration),
        workload=table,
        heatmap=heatmap_svg(grid),
        review_days=sum(1 for week in grid for day in week if day and day.reviews),
        busiest=max(
            ((day.reviews, day.day) for week in grid for day in week if day), default=(0, None)
        ),
    )
