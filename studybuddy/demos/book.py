"""Where each demo sits in the book: chapter titles, and our short names for its sections.

Demos name their section when they register (`section="3.5"`); the demo browser groups by it.
Chapter titles are the book's; section labels are short topic names of ours, not its headings.
"""

from __future__ import annotations

CHAPTERS = {
    "1": "Chapter 1: Understanding large language models",
    "2": "Chapter 2: Working with text data",
    "3": "Chapter 3: Coding attention mechanisms",
    "4": "Chapter 4: Implementing a GPT model from scratch",
    "5": "Chapter 5: Pretraining on unlabeled data",
    "A": "Appendix A: PyTorch and neural-network basics",
    "L": "Bonus material: from GPT to Llama",  # not a chapter of the book: our heading
}
OTHER = "More demos"

SECTIONS = {
    "2.1": "word embeddings",
    "2.2": "tokenizing text",
    "2.5": "byte pair encoding",
    "2.6": "sliding-window sampling",
    "2.7": "token embeddings",
    "2.8": "word positions",
    "3.1": "long sequences",
    "3.3": "attention without weights",
    "3.4": "trainable weights",
    "3.5": "causal attention",
    "3.6": "multi-head attention",
    "4.2": "layer normalisation",
    "4.3": "feed forward and GELU",
    "4.4": "shortcut connections",
    "4.6": "the GPT model",
    "4.7": "generating text",
    "5.1": "evaluating text models",
    "5.2": "training",
    "5.3": "decoding strategies",
}


def chapter_of(section: str) -> str:
    """The chapter heading a section ("3.5", "A", "") belongs under."""
    return CHAPTERS.get(section.split(".")[0], OTHER) if section else OTHER


def section_label(section: str) -> str:
    """ "3.5 causal attention"; a chapter-level or unknown section has no label of its own."""
    topic = SECTIONS.get(section)
    return f"{section} {topic}" if topic else ""


def book_order(section: str) -> tuple[int, str]:
    """Sort key: chapters in order, the appendix after them, demos with no section last."""
    chapter = section.split(".")[0] if section else ""
    rank = list(CHAPTERS).index(chapter) if chapter in CHAPTERS else len(CHAPTERS)
    return rank, section
