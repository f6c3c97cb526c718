"""Progress: mastery by chapter, accuracy over time, the review forecast, weak spots, sessions,
and the memory model: true retention, calibration and a year of review days."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static
from textual_plotext import PlotextPlot

from studybuddy.errors import StudyBuddyError
from studybuddy.locations import reports_dir
from studybuddy.reports.formatting import duration, plural
from studybuddy.store.stats import RECENT_SESSIONS
from studybuddy.tui.screens.base import StudyScreen
from studybuddy.tui.widgets.bars import mastery_bar
from studybuddy.tui.widgets.memory import heatmap_text, model_words

if TYPE_CHECKING:
    from studybuddy.memory.service import Overview
    from studybuddy.store import LearnerStats

SESSIONS_SHOWN = RECENT_SESSIONS  # the same sessions as the report
BAR_WIDTH = 20
MIN_SLOTS = 7  # a chart of days is at least a week wide


class ProgressScreen(StudyScreen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="progress.back"),
        Binding("w", "practise_weakest", "Practise weakest", id="progress.practise"),
        Binding("e", "export_report", "Export report", id="progress.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stats: LearnerStats | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield LoadingIndicator(id="progress-loading")
        with VerticalScroll(id="progress-body"):
            yield Static(id="progress-summary")
            yield Static("[b]Mastery by chapter[/]", id="mastery-heading", classes="section")
            yield Static(id="mastery-chart")
            yield Static("[b]Accuracy by day[/]", classes="section")
            yield PlotextPlot(id="accuracy-chart", classes="chart")
            yield Static("[b]Reviews due in the next 14 days[/]", classes="section")
            yield PlotextPlot(id="forecast-chart", classes="chart")
            yield Static(
                "[b]Weakest topics[/] [dim](w practises their questions)[/]", classes="section"
            )
            yield DataTable(id="weakest", cursor_type="row", show_cursor=False)
            yield Static("[b]Recent sessions[/]", id="sessions-heading", classes="section")
            yield DataTable(id="sessions", show_cursor=False)
            yield Static("[b]Memory model[/]", classes="section")
            yield Static("Reading your reviews…", id="memory-model")
            yield Static("[b]True retention[/]", id="retention-heading", classes="section")
            yield DataTable(id="true-retention", show_cursor=False)
            yield Static(
                "[b]Calibration[/] [dim](recall fsrs predicted at each review, a day or more "
                "after the previous one, against the share remembered: on the diagonal the "
                "model fits you)[/]",
                classes="section",
            )
            yield PlotextPlot(id="calibration-chart", classes="chart")
            yield DataTable(id="calibration", show_cursor=False)
            yield Static("[b]Review days, past year[/]", classes="section")
            yield Static(id="heatmap")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress-body").display = False
        self.load()

    @work(thread=True, exclusive=True, group="progress", description="computing progress")
    def load(self) -> None:
        session = self.app.session
        try:
            stats = session.learner_stats()
        except StudyBuddyError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", timeout=15)
            return
        self.app.call_from_thread(self._show, stats)
        try:  # the memory figures replay the whole history: shown once ready
            overview = session.memory_overview()
        except StudyBuddyError as exc:
            self.app.call_from_thread(self._memory_failed, str(exc))
            return
        self.app.call_from_thread(self._show_memory, overview)

    def _show(self, stats: LearnerStats) -> None:
        self.stats = stats
        self.query_one("#progress-loading").display = False
        self.query_one("#progress-body").display = True
        streak = stats.streak
        # the same figures, worded the same, as the report `e` exports (reports.formatting)
        self.query_one("#progress-summary", Static).update(
            f"[b]{escape(stats.learner)}[/] · {stats.questions_seen} of {stats.questions_total} "
            f"questions seen · accuracy {stats.accuracy:.0%} over "
            f"{plural(stats.attempts, 'answer')} · streak {plural(streak.current, 'day')} "
            f"(longest {streak.longest}) · studied {duration(stats.seconds_studied)} · "
            f"{stats.due_now} due now"
        )
        self.query_one("#mastery-heading", Static).update(
            "[b]Mastery by chapter[/] [dim](share recalled with ≥ "
            f"{round(100 * stats.mastery_threshold)} % today: your desired retention)[/]"
        )
        self._mastery_chart(stats)
        self._accuracy_chart(stats)
        self._forecast_chart(stats)
        self._tables(stats)
        if stats.sessions:
            self.query_one("#sessions-heading", Static).update(
                f"[b]Recent sessions[/] [dim](the last {plural(len(stats.sessions), 'session')})[/]"
            )

    def _mastery_chart(self, stats: LearnerStats) -> None:
        """One line per chapter begun: its whole title beside its bar, nothing drawn across
        another chapter's row (a text table, not a plot)."""
        from rich.table import Table

        # the bar right after the longest title, the title folded rather than cut when narrow
        table = Table.grid(padding=(0, 2))
        table.add_column("chapter", overflow="fold", max_width=max(20, self.size.width - 40))
        table.add_column("bar", width=BAR_WIDTH + 5, no_wrap=True)
        table.add_column("count", justify="right", no_wrap=True)
        rows = [m for m in stats.mastery if m.seen]
        for m in rows:
            table.add_row(
                self.app.session.chapter_title(m.chapter),
                mastery_bar(m.share, BAR_WIDTH),
                f"[dim]{m.mastered}/{m.questions}[/]",
            )
        untouched = sum(1 for m in stats.mastery if m.questions and not m.seen)
        chart = self.query_one("#mastery-chart", Static)
        if not rows:
            chart.update("[dim]No chapter begun yet.[/]")
            return
        chart.update(table)
        if untouched:
            chart.tooltip = f"{plural(untouched, 'chapter')} not begun yet"

    def _day_slots(self, count: int) -> tuple[list[float], tuple[float, float]]:
        """x positions for `count` bars and the x range: at least MIN_SLOTS slots wide, so a
        single day of history is one narrow bar, not the whole width."""
        slots = max(count, MIN_SLOTS)
        return [float(x) for x in range(count)], (-0.75, slots - 0.25)

    def _accuracy_chart(self, stats: LearnerStats) -> None:
        plot = self.query_one("#accuracy-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        days = stats.by_day[-30:]
        if days:
            xs, (low, high) = self._day_slots(len(days))
            plt.bar(xs, [round(100 * d.accuracy) for d in days], width=0.5)
            step = max(1, len(days) // 8)  # about eight dates fit under the bars
            plt.xticks(xs[::step], [d.day.strftime("%d %b") for d in days][::step])
            plt.xlim(low, high)
            plt.ylim(0, 100)
            plt.yticks([0, 25, 50, 75, 100])
            plt.ylabel("% right")
        else:
            plt.title("No answers yet")
        plot.refresh()

    def _forecast_chart(self, stats: LearnerStats) -> None:
        plot = self.query_one("#forecast-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if stats.forecast:
            xs, (low, high) = self._day_slots(len(stats.forecast))
            dues = [d.due for d in stats.forecast]
            plt.bar(xs, dues, width=0.5)
            step = max(1, len(xs) // 7)
            labels = [
                "now" if i == 0 else d.day.strftime("%d %b") for i, d in enumerate(stats.forecast)
            ]
            plt.xticks(xs[::step], labels[::step])
            plt.xlim(low, high)
            top = max(1, *dues)
            tick = max(1, -(-top // 4))  # whole reviews: at most five ticks
            plt.ylim(0, top)
            plt.yticks(list(range(0, top + tick, tick)))
            plt.ylabel("reviews")
        plot.refresh()

    def _tables(self, stats: LearnerStats) -> None:
        weakest = self.query_one("#weakest", DataTable)
        weakest.clear(columns=True)
        weakest.add_columns("Topic", "Answers", "Right", "Revisit")
        for topic in stats.weakest:
            weakest.add_row(
                escape(topic.topic),
                str(topic.attempts),
                f"{topic.accuracy:.0%}",
                str(len(topic.revisit)),
            )
        sessions = self.query_one("#sessions", DataTable)
        sessions.clear(columns=True)
        sessions.add_columns("Started", "Answers", "Right", "Time answering", "Mode")
        for session in stats.sessions:  # newest first, as many as the report lists
            sessions.add_row(
                session.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                str(session.attempts),
                f"{session.accuracy:.0%}",
                duration(session.seconds),
                ", ".join(session.modes),
            )

    def _memory_failed(self, message: str) -> None:
        self.query_one("#memory-model", Static).update(f"[$warning]{escape(message)}[/]")

    def _show_memory(self, overview: Overview | None) -> None:
        """The memory domain's figures as they come (service.overview); nothing recomputed."""
        from studybuddy.reports.review_heatmap import year_grid

        if overview is None:
            self.query_one("#memory-model", Static).update(
                "No reviews yet: scheduling uses fsrs's default parameters until you have "
                "512 reviews to fit yours (Settings, Optimize my schedule)."
            )
            return

        self.query_one("#memory-model", Static).update(
            model_words(overview.model, overview.counted)
        )
        self.query_one("#retention-heading", Static).update(
            "[b]True retention[/] [dim](reviews of questions already in review not rated "
            f"Again, beside your desired retention of {overview.desired_retention:.0%}; young: "
            "interval under 21 days, mature: 21 or more)[/]"
        )
        table = self.query_one("#true-retention", DataTable)
        table.clear(columns=True)
        table.add_columns("Period", "Young", "Mature", "All", "Desired")

        def cell(tally) -> str:
            share = "–" if tally.share is None else f"{tally.share:.0%}"
            return f"{share} of {tally.reviews}"

        for row in overview.recent:
            table.add_row(
                row.label,
                cell(row.young),
                cell(row.mature),
                cell(row.total),
                f"{overview.desired_retention:.0%}",
            )
        self._calibration(overview)
        today = (self.app.now or datetime.now(UTC)).astimezone().date()
        self.query_one("#heatmap", Static).update(
            heatmap_text(year_grid(overview.review_days, today))
        )

    def _calibration(self, overview: Overview) -> None:
        bins = overview.calibration
        plot = self.query_one("#calibration-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.plot([0, 100], [0, 100], marker="braille", color="gray")  # a perfect fit
        if bins:
            plt.scatter(
                [100 * b.predicted for b in bins],
                [100 * b.remembered for b in bins],
                marker="●",
            )
        else:
            plt.title("No reviews a day or more apart yet")
        plt.xlim(0, 100)
        plt.ylim(0, 100)
        plt.xticks([0, 25, 50, 75, 100])
        plt.yticks([0, 25, 50, 75, 100])
        plt.xlabel("predicted %")
        plt.ylabel("remembered %")
        plot.refresh()
        table = self.query_one("#calibration", DataTable)
        table.clear(columns=True)
        table.add_columns("Predicted", "Reviews", "Mean predicted", "Remembered")
        for b in bins:
            table.add_row(
                f"{b.low:.0%}–{b.high:.0%}",
                str(b.reviews),
                f"{b.predicted:.0%}",
                f"{b.remembered:.0%}",
            )

    def action_practise_weakest(self) -> None:
        from studybuddy.study.sets import weakest_set

        if self.stats is None or not self.stats.weakest:
            self.notify("No weak topics yet: answer some questions first.", timeout=3)
            return
        self.app.start_set(weakest_set(self.app.session.catalog, self.stats.weakest))

    def action_export_report(self) -> None:
        self.export()

    @work(thread=True, exclusive=True, group="export", description="writing report")
    def export(self) -> None:
        try:
            path = self.app.session.export_report(reports_dir())
        except Exception as exc:  # shown, never raised into the UI
            self.app.call_from_thread(
                self.app.notify, f"Could not write the report: {exc}", severity="error", timeout=10
            )
            return
        self.app.call_from_thread(
            self.app.notify, f"Report written to {path}", title="Report", timeout=15
        )

    @on(DataTable.RowSelected, "#weakest")
    def _weak_row(self, event: DataTable.RowSelected) -> None:
        self.action_practise_weakest()
