"""Quiz: one question at a time, graded on the spot, recorded before the next one shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fsrs import Rating
from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from studybuddy.banks.grading import RATINGS as RATING_NAMES
from studybuddy.banks.grading import Grade, confirm, grade
from studybuddy.errors import StudyBuddyError
from studybuddy.study.sets import StudySet
from studybuddy.tui.screens.base import StudyScreen
from studybuddy.tui.widgets.answers import (
    AnswerSubmitted,
    AnswerWidget,
    IncompleteAnswer,
    answer_widget_for,
)
from studybuddy.tui.widgets.feedback import FeedbackPanel

if TYPE_CHECKING:
    from studybuddy.banks.models import AnyQuestion

# What `s` says on a question whose answer (a name, a date, a definition, a reason) no
# computation shows.
NO_SHOW_ME = "No show me for this question: no demo computes what it asks."


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


class QuizScreen(StudyScreen[None]):
    """Asks the questions of a `StudySet`; the set's position is saved after every answer."""

    BINDINGS = [
        Binding("escape", "leave", "Back", id="quiz.back"),
        Binding("s", "show_me", "Show me", id="quiz.show_me"),
        # The same key where a question has no demo: it says so instead of doing nothing, and
        # stays out of the footer, which offers only what opens something.
        Binding("s", "no_show_me", "Show me", show=False),
        Binding("n", "next", "Next", id="quiz.next"),
        *[
            Binding(str(r.value), f"rate({r.value})", r.name, id=f"quiz.rate.{r.name.lower()}")
            for r in Rating  # fsrs's ratings: 1 Again, 2 Hard, 3 Good, 4 Easy
        ],
    ]

    def __init__(self, study: StudySet) -> None:
        super().__init__()
        self.study = study
        self.answered = False
        # a short answer awaiting the learner's rating: question, response, grade, seconds
        self.pending: tuple[AnyQuestion, Any, Grade, float] | None = None
        self.last_grade: Grade | None = None
        self.question_started = 0.0
        self.set_started = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="quiz-position")
        with VerticalScroll(id="quiz-body"):
            yield Static(id="prompt")
            yield Static(id="answer-hint")
            yield FeedbackPanel(id="feedback")
        yield Footer()

    # -- accessors -----------------------------------------------------------------------------
    @property
    def ref(self):
        return self.app.session.catalog[self.current_id]

    @property
    def question(self) -> AnyQuestion:
        return self.ref.question

    @property
    def questions(self) -> list[AnyQuestion]:
        return [self.app.session.catalog[q].question for q in self.study.question_ids]

    @property
    def feedback(self) -> FeedbackPanel:
        return self.query_one(FeedbackPanel)

    @property
    def answer_widget(self) -> AnswerWidget:
        return self.query_one(AnswerWidget)

    # -- flow ----------------------------------------------------------------------------------
    async def on_mount(self) -> None:
        self.set_started = self.app.clock()
        self.current_id = self.study.current
        self.set_interval(1, self._tick)
        await self.show_question()

    def _tick(self) -> None:
        self._update_position()

    def _update_position(self) -> None:
        number = self.study.question_ids.index(self.current_id) + 1
        total = len(self.study.question_ids)
        kind = self.question.label
        status = (
            f" — {number}/{total} · {kind} · {self.study.correct_count} right · "
            f"⏱ {_clock(self.app.clock() - self.set_started)}"
        )
        room = max(10, self.size.width - len(status) - 3)
        title = (
            self.study.title
            if len(self.study.title) <= room
            else self.study.title[: room - 1] + "…"
        )
        self.query_one("#quiz-position", Static).update(escape(title) + status)

    async def show_question(self) -> None:
        self.answered = False
        self.pending = None
        self.last_grade = None
        self.question_started = self.app.clock()
        question = self.question
        self.query_one("#prompt", Static).update(escape(question.prompt))
        await self.query(AnswerWidget).remove()
        widget = answer_widget_for(question)
        await self.query_one("#quiz-body").mount(widget, after="#prompt")
        self.query_one("#answer-hint", Static).update(f"[dim]{escape(widget.hint)}[/]")
        self.call_after_refresh(widget.focus_input)
        self.feedback.display = False
        self._update_position()
        self.query_one("#quiz-body", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_me":
            return self.answered and self.question.show_me is not None
        if action == "no_show_me":
            return self.answered and self.question.show_me is None
        if action == "next":
            return self.answered and self.pending is None
        if action == "rate":
            return self.pending is not None
        return True

    @on(AnswerSubmitted)
    def _submitted(self, event: AnswerSubmitted) -> None:
        event.stop()
        if self.answered:
            return
        try:
            response = self.answer_widget.response()
        except IncompleteAnswer as reason:
            self.notify(str(reason).capitalize(), severity="warning", timeout=3)
            return
        seconds = round(self.app.clock() - self.question_started, 2)
        result = grade(self.question, response)
        if not result.answered:  # not a number, not true/false: ask again, record nothing
            self.notify(result.feedback, severity="warning", timeout=6)
            self.call_after_refresh(self.answer_widget.focus_input)
            return
        self.answered = True
        self.answer_widget.freeze()
        self.last_grade = result
        if result.needs_confirmation:
            self.pending = (self.question, response, result, seconds)
            suggested = str(result.details.get("suggested", "")).lower() or None
            self.feedback.show_grade(self.question, result, suggested, response)
        else:
            self._save_attempt(response, result, seconds, rating=None)
            self.feedback.show_grade(self.question, result, response=response)
        self.focus()
        self.call_after_refresh(self.feedback.scroll_visible)
        self.refresh_bindings()

    def action_rate(self, number: int) -> None:
        if self.pending is None:
            return
        question, response, result, seconds = self.pending
        rating = Rating(number)
        confirmed = confirm(result, RATING_NAMES[number - 1])
        self.pending = None
        self._save_attempt(response, confirmed, seconds, rating=rating)
        self.notify(f"Recorded as {rating.name}.", timeout=2)
        self.refresh_bindings()

    def _save_attempt(
        self, response: Any, result: Grade, seconds: float, rating: Rating | None
    ) -> None:
        """Commit the attempt before anything else happens, then move the saved position on."""
        ref = self.ref
        try:
            self.app.session.record_attempt(
                ref,
                answer=response,
                grade=result,
                seconds=seconds,
                mode=self.study.mode,
                rating=rating,
            )
        except StudyBuddyError as exc:  # a locked database: the store keeps the answer for later
            self.notify(f"{exc}", title="Not saved yet", severity="warning", timeout=10)
        self.study.record(ref.question.id, result.correct)
        self.study.advance()
        self.app.session.save_open_set(self.study)

    async def action_next(self) -> None:
        if not self.answered or self.pending is not None:
            return
        if self.study.finished:
            self._finish()
            return
        self.current_id = self.study.current
        await self.show_question()

    def _finish(self) -> None:
        self.app.session.save_open_set(None)
        right, total = self.study.correct_count, len(self.study.outcomes)
        self.notify(f"Set finished: {right} of {total} right. Well done!", timeout=5)
        self.dismiss()

    def action_leave(self) -> None:
        if not self.study.finished and self.study.position > 0:
            self.notify("Progress saved — you can resume this set from the home screen.", timeout=4)
        self.dismiss()

    def action_show_me(self) -> None:
        from studybuddy.tui.screens.show_me import ShowMeScreen

        show_me = self.question.show_me
        if show_me is not None and self.answered:
            self.app.push_screen(ShowMeScreen(show_me.demo, dict(show_me.params)))

    def action_no_show_me(self) -> None:
        self.notify(NO_SHOW_ME, timeout=4)
