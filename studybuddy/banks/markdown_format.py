"""The Markdown bank format: a bank that reads like notes.

    ---                          optional YAML front matter: id, title, short_title, source,
                                 version, description, pages_from
    id: my-notes
    ---
    # Title of the bank          (or `title:` in the front matter)
    ## Chapter title {#chapter-id}
    source: ch. 3                optional, for the chapter
    ### The question's prompt {#question-id}
    - [x] a correct option       checkboxes: multiple choice
    - [ ] a wrong option
    1. first step                a numbered list: ordering, in the right order
    answer: 0.65                 tf (true/false), numeric, short (model answer), cloze (inline)
    tolerance: 0.01              numeric; also `unit: %`
    key points:                  short answers, one bullet per point
    - scaling = sqrt; square root
    misconceptions:              optional, one bullet per wrong claim
    - scaling = multiplied by d_k => the scores are divided by sqrt(d_k)
    > The explanation, as a block quote; a `>` line alone starts a new paragraph.
    type: mc                     optional; otherwise guessed from what is there
    difficulty: 2
    tags: attention, softmax
    source: p. 59
    show_me: softmax-scaling {d_k: 64}

Text under a question heading before its first field continues the prompt. Line breaks inside
a paragraph become spaces, as Markdown renders them.
"""

from __future__ import annotations

import re

import yaml

from studybuddy.banks import safe_yaml
from studybuddy.banks.drafts import Draft, DraftChapter
from studybuddy.banks.formats import Loose, loose_fields
from studybuddy.banks.models import Bank

_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*(?:\{#([^}\s]+)\})?\s*$")
_CHECKBOX = re.compile(r"^[-*+]\s+\[([ xX])\]\s+(.*)$")
_STEP = re.compile(r"^\d+[.)]\s+(.*)$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_FIELD = re.compile(r"^([A-Za-z_ ]+?)\s*:\s*(.*)$")
FIELDS = {
    "type": "type",
    "id": "id",
    "answer": "answer",
    "tolerance": "tolerance",
    "unit": "unit",
    "key points": "key_points",
    "key_points": "key_points",
    "misconceptions": "misconceptions",
    "explanation": "explanation",
    "difficulty": "difficulty",
    "tags": "tags",
    "source": "source",
    "show_me": "show_me",
    "show me": "show_me",
}
_LIST_FIELDS = ("key_points", "misconceptions")  # a field line followed by one bullet per item
META_KEYS = ("id", "title", "short_title", "source", "version", "description", "pages_from")


def _paragraphs(lines: list[str]) -> str:
    return "\n\n".join(
        " ".join(" ".join(block).split()) for block in _split_blank(lines) if "".join(block).strip()
    )


def _split_blank(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        else:
            blocks.append([])
    return blocks


class _Reader:
    def __init__(self, name: str) -> None:
        self.draft = Draft(name)
        self.chapter: DraftChapter | None = None
        self.question: Loose | None = None
        self.prompt_lines: list[str] = []
        self.explanation_lines: list[str] = []
        self.description_lines: list[str] = []
        self.in_list: str | None = None  # the field whose bullets follow (key points, …)
        self.seen_field = False

    def finish_question(self) -> None:
        q = self.question
        if q is not None:
            q.prompt = _paragraphs([q.prompt, "", *self.prompt_lines])
            if self.explanation_lines:
                q.explanation = _paragraphs(self.explanation_lines)
        self.question, self.prompt_lines, self.explanation_lines = None, [], []
        self.in_list, self.seen_field = None, False

    def heading(self, number: int, level: int, title: str, given_id: str | None) -> None:
        self.finish_question()
        if level == 1:
            self.draft.meta.setdefault("title", title)
            self.draft.meta_line = number
        elif level == 2:
            self.chapter = DraftChapter(title, number, id=given_id or "")
            self.draft.chapters.append(self.chapter)
        else:
            if self.chapter is None:
                self.chapter = DraftChapter("Questions", number)
                self.draft.chapters.append(self.chapter)
            self.question = Loose(line=number, prompt=title, id=given_id or "")
            self.chapter.questions.append(self.question)

    def body(self, number: int, line: str) -> None:
        q = self.question
        stripped = line.strip()
        if q is None:
            self.outside_question(number, stripped)
            return
        if stripped.startswith(">"):
            self.explanation_lines.append(stripped[1:].strip())
            self.seen_field = True
            return
        if not stripped:
            if not self.seen_field:
                self.prompt_lines.append("")
            return
        if box := _CHECKBOX.match(stripped):
            if box.group(1).lower() == "x":
                q.correct.append(len(q.options))
            q.type = q.type or "mc"  # checkboxes mean multiple choice even with none ticked
            q.options.append(box.group(2).strip())
            self.seen_field = True
        elif step := _STEP.match(stripped):
            q.steps.append(step.group(1).strip())
            self.seen_field = True
        elif (bullet := _BULLET.match(stripped)) and self.in_list:
            getattr(q, self.in_list).append(bullet.group(1).strip())
        elif (found := _FIELD.match(stripped)) and found.group(1).strip().lower() in FIELDS:
            name = FIELDS[found.group(1).strip().lower()]
            self.in_list = name if name in _LIST_FIELDS else None
            if not self.in_list:
                setattr(q, name, found.group(2).strip())
            self.seen_field = True
        elif bullet:
            expected = "'- [x] text' or '- [ ] text' for an option"
            self.draft.question_problem(q, number, "options", expected)
        elif not self.seen_field:
            self.prompt_lines.append(stripped)
        else:
            self.draft.question_problem(
                q, number, "(line)", "a field such as 'answer:', an option, or '> explanation'"
            )

    def outside_question(self, number: int, stripped: str) -> None:
        if not stripped:
            if self.chapter is None:
                self.description_lines.append("")
            return
        found = _FIELD.match(stripped)
        if self.chapter is not None and found and found.group(1).strip().lower() == "source":
            self.chapter.source = found.group(2).strip()
        elif self.chapter is None:
            self.description_lines.append(stripped)
        else:
            self.draft.problem(
                number, self.chapter.id or "-", "(line)", "a '### question' heading or 'source:'"
            )


def _front_matter(lines: list[str], draft: Draft) -> int:
    """Read `---` YAML front matter; returns how many lines it took."""
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            try:
                meta = safe_yaml.load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                # the parser's own message spans lines; its problem and line are the useful part
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark else 1  # the front matter starts on line 2
                problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                draft.problem(line, "-", "front matter", f"valid YAML ({problem})")
                return end + 1
            if not isinstance(meta, dict):
                draft.problem(1, "-", "front matter", "a mapping such as 'id: my-bank'")
                return end + 1
            for key, value in meta.items():
                if key in META_KEYS:
                    draft.meta[key] = value
                else:
                    draft.problem(1, "-", "front matter", f"keys among {', '.join(META_KEYS)}")
            return end + 1
    draft.problem(1, "-", "front matter", "a closing '---' line")
    return len(lines)


def read_markdown(text: str, name: str) -> Draft:
    reader = _Reader(name)
    lines = text.splitlines()
    start = _front_matter(lines, reader.draft)
    for number, line in enumerate(lines[start:], start=start + 1):
        heading = _HEADING.match(line)
        if heading:
            reader.heading(number, len(heading.group(1)), heading.group(2), heading.group(3))
        else:
            reader.body(number, line)
    reader.finish_question()
    description = _paragraphs(reader.description_lines)
    if description:
        reader.draft.meta.setdefault("description", description)
    return reader.draft


def _text(value: str) -> str:
    return " ".join(value.split())


def write_markdown(bank: Bank) -> str:
    meta: dict[str, object] = {"id": bank.id, "source": bank.source, "version": bank.version}
    if bank.pages_from:
        meta["pages_from"] = bank.pages_from
    if bank.short_title:
        meta["short_title"] = bank.short_title
    out = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip(), "---"]
    out += [f"# {_text(bank.title)}", ""]
    if bank.description:
        out += [*bank.description.split("\n\n"), ""]
    for chapter in bank.chapters:
        out += [f"## {_text(chapter.title)} {{#{chapter.id}}}", ""]
        if chapter.source:
            out += [f"source: {chapter.source}", ""]
        for question in chapter.questions:
            out += _question(loose_fields(question))
    return "\n".join(out).rstrip() + "\n"


def _question(q: Loose) -> list[str]:
    out = [f"### {_text(q.prompt)} {{#{q.id}}}", "", f"type: {q.type}"]
    out += [f"- [{'x' if i in q.correct else ' '}] {_text(o)}" for i, o in enumerate(q.options)]
    out += [f"{n}. {_text(step)}" for n, step in enumerate(q.steps, start=1)]
    for name in ("answer", "tolerance", "unit"):
        value = getattr(q, name)
        if value and not (name == "answer" and q.type == "mc"):
            out.append(f"{name}: {_text(value)}")
    if q.key_points:
        out += ["key points:", *(f"- {_text(point)}" for point in q.key_points)]
    if q.misconceptions:
        out += ["misconceptions:", *(f"- {_text(item)}" for item in q.misconceptions)]
    for name in ("difficulty", "tags", "source", "show_me"):
        if getattr(q, name):
            out.append(f"{name}: {getattr(q, name)}")
    paragraphs = [_text(p) for p in q.explanation.split("\n\n") if p.strip()]
    out += ["", *"\n>\n".join(f"> {p}" for p in paragraphs).split("\n"), ""]
    return out
