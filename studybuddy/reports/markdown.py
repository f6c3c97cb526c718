"""Markdown reports for a group chat or a wiki: tables and lists, everything written escaped."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence

from studybuddy.reports import formatting
from studybuddy.reports.models import GroupReport, LearnerReport
from studybuddy.reports.night import NightResults

DAYS_LISTED = 14

# characters that start emphasis, links, code, HTML, tables or entities anywhere in a line
_INLINE = re.compile(r"([\\`*_\[\]()<>|#~&])")
# characters that start a list, heading, quote or rule when they begin a line
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=>])")


def text(value: object) -> str:
    """Any text as literal Markdown: one line, specials backslash-escaped."""
    flat = " ".join(str(value).split())
    escaped = _INLINE.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def code(value: str) -> str:
    """A one-line code span no value can close early: the fence is one backtick longer than the
    longest run inside (a fixed "``" let a name holding "``" end the span and start a link)."""
    flat = " ".join(value.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""  # a span may not start or end with its own backticks
    return f"{fence}{pad}{flat}{pad}{fence}"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _question(lines: list[str], prompt: str, meta: str, show_me: str | None) -> None:
    lines.append(f"- {text(prompt)}  ")
    lines.append(f"  {meta}" + (f" — run: {code(show_me)}" if show_me else ""))


def _footer(generated: str) -> list[str]:
    return ["", f"_Made by StudyBuddy on {text(generated)}._", ""]


def learner_md(report: LearnerReport) -> str:
    s = report.stats
    pct, days = formatting.percent, formatting.days
    when = formatting.moment(report.generated_at, report.tz)
    period = f"answers since {formatting.day(report.since)}" if report.since else "all history"
    lines = [f"# Progress report: {text(report.name)}", "", f"{text(period.capitalize())}.", ""]
    if report.empty:
        lines += [
            "Nothing answered yet. Start a chapter with "
            f"{code('studybuddy --profile ' + shlex.quote(report.name))} and the next report "
            "will show accuracy, mastery and the reviews coming up.",
            "",
            f"{s.questions_total} questions are waiting in the banks.",
        ]
        return "\n".join(lines + _footer(when))
    lines += _table(
        ["", ""],
        [
            ["Questions seen", f"{s.questions_seen} of {s.questions_total}"],
            [
                "Accuracy",
                f"{pct(s.accuracy)} ({s.correct} of "
                f"{formatting.plural(s.attempts, 'answer')} right)",
            ],
            ["Study streak", f"{days(s.streak.current)} (longest {days(s.streak.longest)})"],
            ["Time answering", formatting.duration(s.seconds_studied)],
            ["Reviews due now", s.due_now],
        ],
    )
    lines += ["## Mastery by chapter", ""]
    lines += _table(
        ["Chapter", "Questions", "Seen", "Mastered", "Accuracy"],
        [
            [text(c.title), c.questions, c.seen, c.mastered, pct(c.correct, c.attempts)]
            for c in report.chapters
        ],
    )
    recent = s.by_day[-DAYS_LISTED:]
    lines += ["## Accuracy over time", ""]
    if len(s.by_day) > len(recent):
        lines += [f"The last {len(recent)} of {len(s.by_day)} study days.", ""]
    lines += _table(
        ["Day", "Answers", "Right", "Accuracy", "Time"],
        [
            [
                formatting.day(d.day),
                d.attempts,
                d.correct,
                pct(d.accuracy),
                formatting.duration(d.seconds),
            ]
            for d in recent
        ],
    )
    lines += [f"## Reviews due in the next {len(s.forecast)} days", ""]
    lines += _table(["Day", "Due"], [[formatting.day(d.day), d.due] for d in s.forecast])
    lines += ["## Weakest topics", ""]
    if not report.weakest:
        lines += ["No weak spots yet: every topic with three or more answers is going well.", ""]
    for topic in report.weakest:
        lines += [
            f"### {text(topic.topic)} — {topic.correct} of {topic.attempts} right "
            f"({pct(topic.accuracy)})",
            "",
        ]
        for q in topic.questions:
            _question(
                lines,
                q.prompt or q.question_id,
                f"{text(q.chapter)}, {code(q.question_id)}",
                q.show_me,
            )
        lines.append("")
    lines += ["## Recent sessions", ""]
    lines += _table(
        ["Started", "Time answering", "Answers", "Right", "Mode"],
        [
            [
                formatting.moment(x.started_at, report.tz),
                formatting.duration(x.seconds),  # adds up to the total time answering
                x.attempts,
                pct(x.accuracy),
                text(", ".join(x.modes)),
            ]
            for x in s.sessions
        ],
    )
    return "\n".join(lines + _footer(when))


def group_md(report: GroupReport) -> str:
    pct = formatting.percent
    when = formatting.moment(report.generated_at, report.tz)
    period = f"answers since {formatting.day(report.since)}" if report.since else "all history"
    lines = [
        "# Reading group report",
        "",
        f"{text(period.capitalize())}, {len(report.leaderboard)} members.",
        "",
    ]
    if report.empty:
        lines += ["Nothing answered yet: once members study, the leaderboard appears here."]
        return "\n".join(lines + _footer(when))
    lines += ["## Leaderboard", ""]
    lines += _table(
        ["#", "Member", "Right", "Answers", "Accuracy", "Time"],
        [
            [
                rank,
                text(r.name),
                r.correct,
                r.attempts,
                pct(r.correct, r.attempts),
                formatting.duration(r.seconds),
            ]
            for rank, r in enumerate(report.leaderboard, start=1)
        ],
    )
    lines += ["## Mastery by chapter", "", "Questions mastered of the chapter's questions.", ""]
    lines += _table(
        ["Chapter", *(text(m.name) for m in report.members)],
        [
            [
                text(title),
                *(f"{m.chapters[i].mastered}/{m.chapters[i].questions}" for m in report.members),
            ]
            for i, (_, title) in enumerate(report.chapters)
        ],
    )
    lines += ["## Questions the group misses most", ""]
    if not report.most_missed:
        lines.append("Every answer so far was right.")
    for item in report.most_missed:
        q, r = item.question, item.result
        meta = (
            f"{r.correct} of {r.attempts} right ({pct(r.accuracy)}), {r.learners} "
            f"member{'s' if r.learners != 1 else ''}, {text(q.chapter)}, {code(q.question_id)}"
        )
        _question(lines, q.prompt or q.question_id, meta, q.show_me)
    return "\n".join(lines + _footer(when))


def night_md(night: NightResults, *, generated: str) -> str:
    standings = night.standings
    lines = [
        f"# Quiz night {text(night.night_id)}",
        "",
        f"{formatting.day(night.played_on)}, {len(standings)} players, "
        f"{len(night.questions)} questions.",
        "",
    ]
    if night.rules:
        lines += ["Rules: " + text(", ".join(night.rules)) + ".", ""]
    lines += ["## Final standings", ""]
    lines += _table(
        ["Rank", "Player", "Points"], [[p.rank, text(p.name), p.score] for p in standings]
    )
    most_missed = night.most_missed()
    if most_missed:
        lines += ["## Most missed", ""]
        for q in most_missed:
            meta = f"missed by {q.missed} of {len(q.answers)} ({code(q.question_id)})"
            _question(lines, q.prompt or q.question_id, meta, q.show_me)
        lines.append("")
    misses = [(p.name, night.misses_of(p.name)) for p in standings]
    if any(missed for _, missed in misses):
        lines += ["## Each player's misses", ""]
        for name, missed in misses:
            shown = ", ".join(code(q.question_id) for q in missed) if missed else "none"
            lines.append(f"- {text(name)}: {shown}")
        lines.append("")
    hardest = night.hardest
    if hardest is not None:
        lines += [
            "## The question the room found hardest",
            "",
            f"{text(hardest.prompt or hardest.question_id)} — {hardest.correct} of "
            f"{len(hardest.answers)} right, {hardest.mean_seconds:.1f} s on average "
            f"({code(hardest.question_id)})",
            "",
        ]
    lines += ["## Question by question", ""]

    def cell(answer) -> str:
        if answer is None:
            return "—"
        mark = "✓" if answer.correct else "✗"
        return f"{mark} {answer.points} ({answer.seconds:.1f} s)"

    lines += _table(
        ["#", "Question", *(text(p.name) for p in standings)],
        [
            [
                n,
                text(q.prompt or q.question_id) + (" (warm-up, no points)" if q.warm_up else ""),
                *(cell(q.answer_of(p.name)) for p in standings),
            ]
            for n, q in enumerate(night.questions, start=1)
        ],
    )
    return "\n".join(lines + _footer(generated))
