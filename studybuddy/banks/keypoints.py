"""Which key points a free-text answer covers.

A key point counts as covered when one of its accepted phrasings appears in the answer:
  - word for word after Snowball (Porter 2) stemming, ignoring case, punctuation and the
    articles a/an/the ("scaled the scores" matches "scale scores");
  - or with the separators dropped ("multihead" matches "multi-head", "sqrt(dk)" matches
    "sqrt d_k").
Synonyms are whatever the bank lists in `accept`; nothing else is guessed. Negation is not
understood ("not softmax" mentions softmax), which is one reason the learner confirms the grade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from studybuddy.banks.models import KeyPoint

_WORD = re.compile(r"[^\W_]+")  # letters and digits; '_', '-' and punctuation separate words
_ARTICLES = frozenset({"a", "an", "the"})
_LONGEST_JOINED = 4  # words an answer may split a compound into ("multi head attention")


@cache
def _stem_words():
    import snowballstemmer  # imported on first use: the TUI starts without it

    return snowballstemmer.stemmer("english").stemWords


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in _ARTICLES]


def stems(text: str) -> list[str]:
    return _stem_words()(words(text))


@dataclass(frozen=True)
class _Answer:
    stems: tuple[str, ...]
    joined: frozenset[str]  # runs of up to _LONGEST_JOINED words written without separators

    @classmethod
    def of(cls, text: str) -> _Answer:
        plain = words(text)
        joined = {
            "".join(plain[i : i + n])
            for n in range(1, _LONGEST_JOINED + 1)
            for i in range(len(plain) - n + 1)
        }
        return cls(tuple(_stem_words()(plain)), frozenset(joined))

    def mentions(self, phrase: str) -> bool:
        wanted = tuple(stems(phrase))
        if not wanted:
            return False
        n = len(wanted)
        if any(self.stems[i : i + n] == wanted for i in range(len(self.stems) - n + 1)):
            return True
        return "".join(words(phrase)) in self.joined


@dataclass(frozen=True)
class Coverage:
    covered: list[KeyPoint] = field(default_factory=list)
    missing: list[KeyPoint] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)  # point -> the phrase found

    @property
    def share(self) -> float:
        total = len(self.covered) + len(self.missing)
        return len(self.covered) / total if total else 0.0


def coverage(answer: str, key_points: list[KeyPoint]) -> Coverage:
    text = _Answer.of(answer)
    covered, missing, evidence = [], [], {}
    for point in key_points:
        found = next((phrase for phrase in point.accept if text.mentions(phrase)), None)
        if found is None:
            missing.append(point)
        else:
            covered.append(point)
            evidence[point.point] = found
    return Coverage(covered, missing, evidence)
