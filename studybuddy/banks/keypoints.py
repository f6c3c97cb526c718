"""Which key points a free-text answer covers, contradicts or only seems to mention.

Reading an answer
  The answer is split into words (Snowball (Porter 2) stems, case and the articles a/an/the
  ignored; `@ * × ÷ /` are kept as words of their own, so "attn_weights @ inputs" can be told from
  "attn_weights * inputs") and into clauses. A clause ends at `;`, `!`, `?`, a line break, and
  a `.` or `,` followed by a space (not in "nn.Module" or "1,024"), at "vs"/"versus"; a new one
  starts at a joining word: and, but, while, whilst, whereas, although, though, however,
  because, so, nor, and "then" where it opens a clause anyway (at the start, after a comma or
  "and"; "the decoder then produces" stays one clause). Contractions are read out first
  ("isn't" is "is not", "can't" and "cannot" "can not", "they're" "they are"), in answers and
  phrases alike.
  A gloss, one to six words in brackets after a word and a space ("encoder (BERT)"), is attached
  to that word: the word is read again after it, so "BERT ... encoder" is found as well as
  "encoder ... BERT"; the repeated word only starts a run of words, and a negation inside the
  brackets stays there ("GPT (not BERT) uses the decoder"). A call or a formula in brackets
  ("softmax(x)", "by (1 - p)") is read as it stands.

Phrases (`KeyPoint.accept`, `Misconception.match`)
  A phrase is found when its words appear in a row, stem for stem ("scaled the scores" matches
  "scale scores"), or with the separators dropped ("multihead" matches "multi-head", "sqrt(dk)"
  matches "sqrt d_k"). A word ending in `*` matches any word it begins ("fine-tun*" matches
  "fine-tuned"). Operators in the answer are skipped unless the phrase has one itself.
  ` ... ` splits a phrase into parts that must appear in this order within one clause:
  "bert ... encoder" is found in "BERT is built on the encoder", not in "BERT uses the decoder
  and GPT the encoder". A part may reach into the next clause only when it starts with the word
  that opens it: "fine-tun* ... then ... pretrain" is found in "first fine-tune, then pretrain".

A found phrase is evidence only when
  - it is not negated in its clause: not, no, never, without, neither, nor, none, nothing,
    unlike, "rather than", "instead of", "as opposed to", "in contrast to/with" and "contrary
    to" negate what follows them in the clause ("not X but Y": "but" opens a new clause); a
    "not" or "never" after a verb such as is/does/can/need ("is not needed", "doesn't")
    negates the whole clause.
    The phrase's own words do not count, so "no ... training" is found in "needs no further
    training". "without it", "not only" negate nothing, and a negation does not reach past a
    `:` or `—` ("random: it has not been trained");
  - for a key point, it is not an echo of the prompt: a phrase whose content words (all but a
    few function words) all stand in the prompt is no evidence of knowing the answer, unless it
    has parts (` ... `) and the prompt does not state them in that order itself (the relation
    is news).

A key point is covered by one accepted phrase found as evidence, and contradicted when one of
the question's misconceptions for it is found, not negated (a contradiction outweighs a match;
a wrong claim counts even in the prompt's words).
Synonyms are whatever the bank lists; nothing else is guessed, which is one reason the learner
confirms the grade.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache
from itertools import islice

from studybuddy.banks.models import PHRASE_GAP, KeyPoint, Misconception

# letters and digits; '_', '-' and other punctuation separate words; a few operators are words
# a '.' or ',' ends a clause only before a space or the end ("nn.Module", "keys.T", "1,024")
_TOKEN = re.compile(r"[^\W_]+|[@*×÷/]|[;!?:—\n]|[.,](?=[\s)\]\"'”’]|$)")
_OPERATORS = frozenset("@*×÷/")
_BREAKS = frozenset(".;!?,\n")
_SCOPE_BREAKS = frozenset(":—")  # end a negation's reach, not a clause ("BERT: encoder")
_ARTICLES = frozenset({"a", "an", "the"})
_LONGEST_JOINED = 4  # words an answer may split a compound into ("multi head attention")
_MOST_MATCHES = 64  # ways of matching one phrase that are checked for negation and echo
_JOINERS = frozenset(
    "and but while whilst whereas although though however because so then nor".split()
)
# "the decoder then produces" is one clause: "then" opens a new one only where a clause starts
# anyway (at the start, after a comma or "and"), which is where it means "the next step"
_LEADING_ONLY_JOINERS = frozenset({"then"})
_CONTRASTS = frozenset({"vs", "versus"})  # "encoder (BERT) vs decoder (GPT)": two claims
_NEGATIONS = frozenset("not no never without neither nor none nothing unlike".split())
# cues of several words, by their last word: "rather than", "as opposed to", "in contrast to"
_PHRASE_NEGATIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "than": (("rather",),),
    "of": (("instead",),),
    "to": (("as", "opposed"), ("in", "contrast"), ("contrary",)),
    "with": (("in", "contrast"),),
}
_VERBS = frozenset(
    "is are was were be been being am do does did can could will would shall should may might "
    "must has have had need needs ought".split()
)
_PRONOUNS = frozenset("it this that them these those".split())
_FUNCTION_WORDS = frozenset(
    "a an the of to in on for by with is are was were be been it its this that these those and "
    "or as at from what which who whom how why does do did each there their they them can will "
    "would should has have had than into so such we you your i me my our us his her he she "
    "when where then also about".split()
)
_CONTRACTIONS = [
    (re.compile(r"\bcannot\b", re.I), "can not"),
    (re.compile(r"\bcan['’]t\b", re.I), "can not"),
    (re.compile(r"\bwon['’]t\b", re.I), "will not"),
    (re.compile(r"\bshan['’]t\b", re.I), "shall not"),
    (re.compile(r"n['’]t\b", re.I), " not"),
    # only the unambiguous ones: "'s" and "'d" may be is/has/possessive, would/had
    (re.compile(r"(?<=[a-z])['’]re\b", re.I), " are"),
    (re.compile(r"(?<=[a-z])['’]ve\b", re.I), " have"),
    (re.compile(r"(?<=[a-z])['’]ll\b", re.I), " will"),
    (re.compile(r"\bI['’]m\b", re.I), "I am"),
]
# "encoder (BERT)": a gloss on the word before it, of one to six words; not a call
# ("softmax(x)", no space before the bracket) nor a formula ("by (1 - p)", no word inside)
_GLOSS = re.compile(r"(?<=[^\W_])\s+\(([^()\n]{1,60})\)")
_GLOSS_WORD = re.compile(r"[^\W\d_]{2,}")
_GLOSS_MOST_WORDS = 6


def _is_gloss(inside: str) -> bool:
    words = re.findall(r"[^\W_]+", inside)
    return (
        0 < len(words) <= _GLOSS_MOST_WORDS
        and _GLOSS_WORD.search(inside) is not None
        and not any(op in inside for op in _OPERATORS)
    )


@cache
def _stemmer():
    import snowballstemmer  # imported on first use: the TUI starts without it

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1 << 16)  # the same words and joined windows come back answer after answer
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def expand_contractions(text: str) -> str:
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class _Token:
    raw: str  # casefolded word or operator
    stem: str
    clause: int
    scope: int  # what a negation reaches: the clause, also cut at ':' ("random: it is not …")
    outer: int  # in a gloss "(…)" the scope around it (a negation there reaches in), else scope
    leads: bool  # a joining word at the start of its clause ("then" in "…, then pretrain")
    start: int  # where it stands in the text, for quoting the evidence
    end: int
    again: bool = False  # a gloss's word read again after it: "encoder (BERT) [encoder]"

    @property
    def operator(self) -> bool:
        return self.raw in _OPERATORS


class Text:
    """A text read into words and clauses."""

    def __init__(self, text: str) -> None:
        self.text = text
        expanded = expand_contractions(text)
        folded = expanded.casefold()
        glosses = [m.span(1) for m in _GLOSS.finditer(folded) if _is_gloss(m.group(1))]
        tokens: list[_Token] = []
        clause, fresh = 0, True  # fresh: nothing in the current clause yet
        scope = last_scope = 0
        leading = True  # still among the joining words that open the clause
        g, inner, head = 0, None, None  # the next gloss, its scope once in it, the word before

        def close_gloss() -> None:
            # the gloss relates to its word both ways: "encoder (BERT)" is read as
            # "encoder BERT encoder", so both "BERT ... encoder" and "encoder ... BERT" match
            if head is not None:
                tokens.append(
                    replace(head, clause=clause, scope=scope, outer=scope, leads=False, again=True)
                )

        for match in _TOKEN.finditer(folded):
            raw, at = match.group(), match.start()
            while g < len(glosses) and at >= glosses[g][1]:
                if inner is not None:
                    close_gloss()
                g, inner, head = g + 1, None, None
            if inner is None and g < len(glosses) and at >= glosses[g][0]:
                last_scope += 1
                inner = last_scope
                last = tokens[-1] if tokens else None
                if last and last.clause == clause and last.raw not in _FUNCTION_WORDS:
                    head = last if not last.operator and not last.raw.isdigit() else None
            if raw in _SCOPE_BREAKS:
                last_scope += 1
                scope = last_scope
                continue
            if raw in _BREAKS or raw in _CONTRASTS:
                if not fresh:
                    clause, fresh, leading = clause + 1, True, True
                    last_scope += 1
                    scope = last_scope
                continue
            if raw in _ARTICLES:
                continue
            joiner = raw in _JOINERS
            if joiner and not fresh and not leading and raw not in _LEADING_ONLY_JOINERS:
                clause, fresh, leading = clause + 1, True, True
                last_scope += 1
                scope = last_scope
            leads = joiner and leading
            leading = leading and joiner
            fresh = False
            own = scope if inner is None else inner
            # offsets into the expanded text: close enough to quote (contractions only grow it)
            token = _Token(raw, _stem(raw), clause, own, scope, leads, at, match.end())
            tokens.append(token)
        if inner is not None:
            close_gloss()
        self.expanded = expanded
        self.tokens = tokens
        self.words_only = [i for i, t in enumerate(tokens) if not t.operator]
        self.everything = list(range(len(tokens)))
        self.stem_set = frozenset(t.stem for t in tokens)

    def content_stems(self, indices: Sequence[int] | None = None) -> set[str]:
        chosen = self.tokens if indices is None else [self.tokens[i] for i in indices]
        return {t.stem for t in chosen if t.raw not in _FUNCTION_WORDS}

    def quote(self, indices: Sequence[int]) -> str:
        # by offsets, not order: a gloss's word is read again after it ("encoder (BERT)")
        start = min(self.tokens[i].start for i in indices)
        end = max(self.tokens[i].end for i in indices)
        while (
            self.expanded[start:end].count("(") > self.expanded[start:end].count(")")
            and self.expanded[end : end + 1] == ")"
        ):
            end += 1  # "multiplied by (1 - p)", not "multiplied by (1 - p"
        return " ".join(self.expanded[start:end].split())

    # --- negation -------------------------------------------------------------------------

    def _cues(self) -> list[tuple[int, bool]]:
        """(index, whole clause?) of every negation cue."""
        cues = []
        tokens = self.tokens
        for i, token in enumerate(tokens):
            before = tokens[i - 1].raw if i and tokens[i - 1].scope == token.scope else None
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            same_clause_after = after is not None and after.scope == token.scope
            if token.raw in _NEGATIONS:
                if token.raw == "not" and same_clause_after and after and after.raw == "only":
                    continue
                if (
                    after is not None
                    and same_clause_after
                    and after.raw in _PRONOUNS
                    and i + 2 < len(tokens)
                    and tokens[i + 2].scope == token.scope
                ):
                    continue  # "without it, …": the cue's object is the pronoun
                whole = token.raw in {"not", "never"} and before in _VERBS
                cues.append((i, whole))
            elif any(self._preceded_by(i, words) for words in _PHRASE_NEGATIONS.get(token.raw, ())):
                cues.append((i, False))
        return cues

    def _preceded_by(self, i: int, words: tuple[str, ...]) -> bool:
        n, scope = len(words), self.tokens[i].scope
        if i < n:
            return False
        before = self.tokens[i - n : i]
        return all(t.scope == scope for t in before) and tuple(t.raw for t in before) == words

    @cached_property
    def cues(self) -> list[tuple[int, bool]]:
        return self._cues()

    def negated(self, matched: Sequence[int]) -> bool:
        mine = set(matched)
        for cue, whole in self.cues:
            if cue in mine:
                continue
            scope = self.tokens[cue].scope
            if any(
                scope in (self.tokens[t].scope, self.tokens[t].outer) and (whole or t > cue)
                for t in matched
            ):
                return True
        return False

    # --- finding phrases ------------------------------------------------------------------

    def find(self, phrase: Phrase) -> Iterator[list[int]]:
        """The ways the phrase's parts appear in order (token indices of the words matched),
        at most _MOST_MATCHES of them: a long answer repeating its words must not take long."""
        view = self.everything if phrase.has_operator else self.words_only
        spans = [self._spans(part, view) for part in phrase.parts]

        def extend(k: int, last: int | None, taken: list[int]) -> Iterator[list[int]]:
            if k == len(spans):
                yield taken
                return
            for span in spans[k]:
                if last is None or self._may_follow(last, span[0]):
                    yield from extend(k + 1, span[-1], [*taken, *span])

        return islice(extend(0, None, []), _MOST_MATCHES)

    def contains(self, phrase: Phrase) -> bool:
        return next(self.find(phrase), None) is not None

    def _may_follow(self, last: int, first: int) -> bool:
        if first <= last:
            return False
        a, b = self.tokens[last], self.tokens[first]
        return b.clause == a.clause or (b.clause == a.clause + 1 and b.leads)

    def _run(self, window: list[int]) -> bool:
        """Whether the words may be read as a run: a word read again after its gloss starts
        one, never continues one ("tokens (causal mask)" says nothing of "mask tokens")."""
        return not any(self.tokens[i].again for i in window[1:])

    def _spans(self, part: _Part, view: list[int]) -> list[list[int]]:
        spans = []
        n = len(part.words)
        for at in range(len(view)):
            window = view[at : at + n]
            if (
                len(window) == n
                and self._run(window)
                and all(w.matches(self.tokens[i]) for w, i in zip(part.words, window, strict=True))
            ):
                if all(self._may_follow(a, b) for a, b in zip(window, window[1:], strict=False)):
                    spans.append(window)
                    continue
            for size in range(1, _LONGEST_JOINED + 1):
                window = view[at : at + size]
                if len(window) < size:
                    break
                if len({self.tokens[i].clause for i in window}) > 1 or not self._run(window):
                    break
                joined = "".join(self.tokens[i].raw for i in window)
                # stemming only trims endings, so the first letters decide most windows cheaply
                if joined == part.joined or (
                    len(joined) > 3
                    and joined[:2] == part.joined[:2]
                    and _stem(joined) == part.joined_stem
                ):
                    spans.append(window)
                    break
        return spans


@dataclass(frozen=True)
class _Word:
    raw: str
    stem: str
    prefix: bool

    def matches(self, token: _Token) -> bool:
        if self.prefix:
            return token.raw.startswith(self.raw)
        return token.stem == self.stem


@dataclass(frozen=True)
class _Part:
    words: tuple[_Word, ...]
    joined: str
    joined_stem: str


@dataclass(frozen=True)
class Phrase:
    """An accepted phrasing or a misconception, parsed (see the module docstring)."""

    text: str
    parts: tuple[_Part, ...]
    has_operator: bool

    @classmethod
    @cache
    def of(cls, text: str) -> Phrase:
        parts = []
        for piece in text.strip().split(PHRASE_GAP):
            # read like an answer, or "isn't moved" could never match ("is not moved")
            piece = expand_contractions(piece)
            raws = re.findall(r"[^\W_]+\*?|[@*×÷/]", piece.casefold())
            found = []
            for raw in raws:
                if raw in _ARTICLES:
                    continue
                prefix = raw.endswith("*") and len(raw) > 1
                word = raw.rstrip("*") if prefix else raw
                found.append(_Word(word, _stem(word), prefix))
            if not found:
                continue
            joined = "".join(w.raw for w in found)
            parts.append(_Part(tuple(found), joined, _stem(joined)))
        operator = any(w.raw in _OPERATORS for p in parts for w in p.words)
        return cls(text, tuple(parts), operator)

    @property
    def gapped(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True)
class Evidence:
    phrase: str  # the bank's phrase
    quote: str  # the learner's words that matched it


def _evidence(answer: Text, prompt: Text | None, phrase_text: str) -> tuple[Evidence | None, str]:
    """The phrase as evidence in the answer, or None and why not ('', 'negated', 'echo').
    Without a prompt, echoes are not looked for."""
    phrase = Phrase.of(phrase_text)
    if not phrase.parts:
        return None, ""
    reason = ""
    for matched in answer.find(phrase):
        if answer.negated(matched):
            reason = reason or "negated"
            continue
        if prompt is not None and _echoes(answer, prompt, phrase, matched):
            reason = "echo"
            continue
        return Evidence(phrase_text, answer.quote(matched)), ""
    return None, reason


def _echoes(answer: Text, prompt: Text, phrase: Phrase, matched: Sequence[int]) -> bool:
    if not answer.content_stems(matched) <= prompt.stem_set:
        return False
    return not phrase.gapped or prompt.contains(phrase)


def phrase_echoes_prompt(phrase: str, prompt: str) -> bool:
    """Whether the phrase, found in an answer, would only repeat the prompt (never evidence)."""
    parsed = Phrase.of(phrase)
    if not parsed.parts:
        return True
    as_answer = Text(" ".join(" ".join(w.raw for w in p.words) for p in parsed.parts))
    asked = Text(prompt)
    return all(_echoes(as_answer, asked, parsed, m) for m in as_answer.find(parsed))


@dataclass(frozen=True)
class Contradiction:
    point: str
    why: str
    evidence: Evidence


@dataclass(frozen=True)
class Coverage:
    covered: list[KeyPoint] = field(default_factory=list)
    missing: list[KeyPoint] = field(default_factory=list)
    contradicted: list[KeyPoint] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)  # covered point -> evidence
    contradictions: list[Contradiction] = field(default_factory=list)
    # missing points that were found only negated or only as the prompt's own words
    negated: list[str] = field(default_factory=list)
    echoed: list[str] = field(default_factory=list)
    echo_only: bool = False  # the answer says nothing the prompt does not already say

    @property
    def share(self) -> float:
        total = len(self.covered) + len(self.missing) + len(self.contradicted)
        return len(self.covered) / total if total else 0.0


def coverage(
    answer: str,
    key_points: Sequence[KeyPoint],
    prompt: str = "",
    misconceptions: Sequence[Misconception] = (),
) -> Coverage:
    text, asked = Text(answer), Text(prompt)
    contradictions = []
    for misconception in misconceptions:
        for phrase in misconception.match:
            # a wrong claim is wrong even in the prompt's words ("Which of BERT and GPT uses the
            # encoder?" "GPT uses the encoder.")
            found, _ = _evidence(text, None, phrase)
            if found is not None:
                contradictions.append(Contradiction(misconception.point, misconception.why, found))
                break
    against = {c.point for c in contradictions}
    covered, missing, contradicted = [], [], []
    evidence: dict[str, Evidence] = {}
    negated, echoed = [], []
    for point in key_points:
        if point.point in against:
            contradicted.append(point)
            continue
        reasons = set()
        for phrase in point.accept:
            found, reason = _evidence(text, asked, phrase)
            if found is not None:
                covered.append(point)
                evidence[point.point] = found
                break
            reasons.add(reason)
        else:
            missing.append(point)
            if "negated" in reasons:
                negated.append(point.point)
            elif "echo" in reasons:
                echoed.append(point.point)
    echo_only = bool(text.tokens) and not covered and text.content_stems() <= asked.stem_set
    return Coverage(
        covered, missing, contradicted, evidence, contradictions, negated, echoed, echo_only
    )
