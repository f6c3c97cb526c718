"""From text to vectors (ch. 2): BPE tokens, sliding-window training pairs, token and position
embeddings, and the nearest neighbours of a token in the shipped model's embedding space."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import Field

from studybuddy.demos import shipped
from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, plural, rounded
from studybuddy.demos.common import format_shape, seeded
from studybuddy.demos.registry import DemoError, register
from studybuddy.demos.shipped import MODEL_HELP, ModelChoice

END_OF_TEXT = "<|endoftext|>"
VOCAB_SIZE = 50257  # GPT-2's BPE vocabulary
ROWS_SHOWN = 24  # table rows printed; the numbers keep everything
DIMS_SHOWN = 6  # embedding columns printed (6 fit 80 columns)


class BpeParams(DemoParams):
    text: str = Field(
        "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace.",
        min_length=1,
        max_length=500,
        description="Text to tokenize; <|endoftext|> is the special separator token.",
    )


def _pre_tokens(text: str) -> list[str]:
    """The chunks GPT-2 splits text into before byte-pair merging (merges never cross them)."""
    import regex
    from tiktoken_ext.openai_public import r50k_pat_str

    chunks: list[str] = []
    for i, part in enumerate(text.split(END_OF_TEXT)):
        if i:
            chunks.append(END_OF_TEXT)
        chunks.extend(regex.findall(r50k_pat_str, part))
    return chunks


@register(
    "bpe-tokens",
    "Byte-pair encoding with GPT-2's tokenizer",
    "Text -> BPE tokens -> ids; unknown words as pieces.",
    BpeParams,
    random=False,
    section="2.5",
)
def bpe_tokens(p: BpeParams) -> DemoResult:
    tokenizer = shipped.tokenizer()
    ids = shipped.encode(p.text)
    rows, split_words, by_chunk = [], [], []
    for chunk in _pre_tokens(p.text):
        chunk_ids = (
            shipped.encode(chunk) if chunk == END_OF_TEXT else tokenizer.encode_ordinary(chunk)
        )
        by_chunk.append({"chunk": chunk, "ids": chunk_ids})
        if len(chunk_ids) > 1:
            split_words.append(chunk)
        for n, token_id in enumerate(chunk_ids):
            piece = "" if len(chunk_ids) == 1 else f"{n + 1} of {len(chunk_ids)}"
            rows.append([shipped.label(token_id), token_id, piece])
    roundtrip = shipped.decode(ids)
    notes = [
        f"{plural(len(p.text), 'character')} became {plural(len(ids), 'token')} "
        f"({len(p.text) / len(ids):.2f} characters per token).",
    ]
    spaced = [int(i) for i in ids if len(shipped.decode([i])) > 1 and shipped.decode([i])[0] == " "]
    if spaced:
        notes.append(
            f"A space belongs to the word after it: {shipped.label(spaced[0])} is one token "
            f"(id {spaced[0]})."
        )
    if split_words:
        shown = "; ".join(
            f"{c['chunk']!r} -> " + " + ".join(shipped.label(int(i)) for i in c["ids"])
            for c in by_chunk
            if c["chunk"] in split_words[:3] and len(c["ids"]) > 1
        )
        notes.append(
            f"{plural(len(split_words), 'word')} {'is' if len(split_words) == 1 else 'are'} not "
            "in the vocabulary whole and spelled from "
            f"smaller pieces, so nothing is ever unknown: {shown}."
        )
    if END_OF_TEXT in p.text:
        notes.append(
            f"{END_OF_TEXT} is one special token with id {shipped.encode(END_OF_TEXT)[0]}, the "
            f"last of the {VOCAB_SIZE:,} ids; it marks where one document ends and the next "
            "begins."
        )
    notes.append(
        "Decoding the ids gives the text back exactly."
        if roundtrip == p.text
        else "Decoding the ids does not give the same text back."
    )
    return DemoResult(
        "GPT-2 byte-pair encoding",
        tables=[
            Table(
                f"tokens ({len(ids)})" + (f", first {ROWS_SHOWN}" if len(ids) > ROWS_SHOWN else ""),
                ["token", "id", "piece of word"],
                rows[:ROWS_SHOWN],
                row_labels=[str(i) for i in range(min(len(rows), ROWS_SHOWN))],
            )
        ],
        notes=notes,
        values={
            "ids": ids,
            "tokens": [shipped.label(i) for i in ids],
            "chunks": by_chunk,
            "split_words": split_words,
            "roundtrip_equal": roundtrip == p.text,
        },
    )


class SlidingWindowParams(DemoParams):
    text: str = Field(
        "In the heart of the city stood the old library, a relic from a bygone era.",
        min_length=1,
        max_length=2000,
        description="Text to cut into training windows.",
    )
    max_length: int = Field(4, ge=1, le=64, description="Tokens per input window.")
    stride: int = Field(1, ge=1, le=64, description="Tokens between the starts of two windows.")


@register(
    "sliding-window",
    "Sliding windows: input and target pairs",
    "Input/target windows for max_length and stride.",
    SlidingWindowParams,
    random=False,
    section="2.6",
)
def sliding_window(p: SlidingWindowParams) -> DemoResult:
    from studybuddy.engine.data import GPTDataset
    from studybuddy.engine.errors import EngineError

    ids = shipped.encode(p.text)
    try:
        dataset = GPTDataset(ids, p.max_length, p.stride)
    except EngineError as exc:
        raise DemoError(f"sliding-window: {exc}") from None
    inputs = [dataset[i][0].tolist() for i in range(len(dataset))]
    targets = [dataset[i][1].tolist() for i in range(len(dataset))]
    overlap = max(0, p.max_length - p.stride)
    gap = max(0, p.stride - p.max_length)

    def text_of(token_ids: list[int]) -> str:
        return "".join(shipped.decode([t]) for t in token_ids)

    rows = []
    for i, (window, target) in enumerate(zip(inputs, targets, strict=True)):
        shared = overlap if i else 0
        rows.append(
            [
                i * p.stride,
                text_of(window[:shared]) if shared else "",
                text_of(window[shared:]),
                text_of(target),
            ]
        )
    used = {i * p.stride + j for i in range(len(inputs)) for j in range(p.max_length)}
    never_input = len(ids) - len(used)
    last_start = (len(inputs) - 1) * p.stride
    # Tokens after the last window's input: the one it predicts last, and any that no window
    # reached because another full window (plus its target) would not fit.
    tail = len(ids) - (last_start + p.max_length)
    starts = ", ".join(str(i * p.stride) for i in range(min(3, len(inputs))))
    notes = [
        f"{plural(len(ids), 'token')}, max_length {p.max_length}, stride {p.stride}: "
        f"{plural(len(inputs), 'window')} (starting at {starts}{', ...' if len(inputs) > 3 else ''}"
        "; a window needs a target token after it).",
        f"Each target is its input shifted one token to the right, so one window holds "
        f"{plural(p.max_length, 'next-token prediction')}: {len(inputs) * p.max_length:,} in all.",
    ]
    if len(inputs) == 1:
        notes.append(
            "Only one window fits the text, so there is nothing to overlap or skip: stride "
            "matters once the text is longer than max_length + stride."
        )
    elif overlap:
        notes.append(
            f"stride < max_length: each window repeats the last {plural(overlap, 'token')} of the "
            "one before (the 'shared' column). More pairs from the same text, but overlapping "
            "pairs add less new information and can encourage overfitting."
        )
    elif gap:
        notes.append(f"stride > max_length: {plural(gap, 'token')} between windows are skipped.")
    else:
        notes.append(
            "stride = max_length: the windows tile the text without overlap, so no token is "
            "an input twice."
        )
    if never_input:
        skipped = never_input - tail
        parts = ["the last, which is only ever a target"]
        if tail > 1:
            parts.append(f"{tail - 1} more at the end, where no further window and its target fit")
        if skipped:
            parts.append(f"{skipped} skipped between windows")
        notes.append(
            f"{never_input} of the {plural(len(ids), 'token')} "
            f"{'never appears' if never_input == 1 else 'never appear'} in an input: "
            + "; ".join(parts)
            + "."
        )
    return DemoResult(
        "Sliding-window training pairs",
        tables=[
            Table(
                f"windows ({len(inputs)})"
                + (f", first {ROWS_SHOWN}" if len(inputs) > ROWS_SHOWN else ""),
                ["start", "shared", "new input tokens", "target"],
                rows[:ROWS_SHOWN],
                row_labels=[str(i) for i in range(min(len(rows), ROWS_SHOWN))],
            )
        ],
        notes=notes,
        values={
            "token_ids": ids,
            "inputs": inputs,
            "targets": targets,
            "num_windows": len(inputs),
            "overlap": overlap,
            "tokens_never_input": never_input,
            "starts": [i * p.stride for i in range(len(inputs))],
        },
    )


class EmbeddingsParams(DemoParams):
    # 11 tokens reach the second " step", so the default shows a word at two positions.
    num_tokens: int = Field(11, ge=1, le=16, description="How many tokens of the text to embed.")
    output_dim: int = Field(256, ge=1, le=768, description="Embedding width.")
    text: str = Field(
        "Your journey starts with one step, and the next step starts the same way.",
        min_length=1,
        max_length=500,
        description="Text whose first tokens are embedded.",
    )


def _token_rows(ids: list[int], dim: int, seed: int) -> Any:
    """Rows of a freshly initialised 50257 x dim token table, for these ids only.

    Each row is drawn from its own seeded generator, so a token gets the same vector wherever it
    appears, without filling the other 50,000 rows (0.8 s at width 768).
    """
    import torch

    rows = [
        torch.randn(dim, generator=torch.Generator().manual_seed(seed * VOCAB_SIZE + i))
        for i in ids
    ]
    return torch.stack(rows)


@register(
    "embeddings",
    "Token and positional embeddings",
    "Token + position embeddings, with every shape.",
    EmbeddingsParams,
    section="2.7",
)
def embeddings(p: EmbeddingsParams) -> DemoResult:
    import torch

    all_ids = shipped.encode(p.text)
    if len(all_ids) < p.num_tokens:
        raise DemoError(
            f"embeddings: the text has {plural(len(all_ids), 'token')}; num_tokens must be at "
            "most that"
        )
    ids = all_ids[: p.num_tokens]
    token_ids = torch.tensor([ids])  # (batch = 1, num_tokens)
    token_emb = _token_rows(ids, p.output_dim, p.seed).unsqueeze(0)
    with seeded(p.seed):
        pos_layer = torch.nn.Embedding(p.num_tokens, p.output_dim)  # context_length = num_tokens
    with torch.no_grad():
        pos_emb = pos_layer(torch.arange(p.num_tokens))
        input_emb = token_emb + pos_emb  # broadcasts over the batch dimension
    labels = [f"{i} {shipped.label(t)}" for i, t in enumerate(ids)]
    dims = [f"d{j + 1}" for j in range(min(DIMS_SHOWN, p.output_dim))]
    cut = "" if p.output_dim <= DIMS_SHOWN else f" (first {DIMS_SHOWN} of {p.output_dim} dims)"
    shapes = Table(
        "shapes",
        ["shape", "parameters of the table"],
        [
            [format_shape(token_ids.shape), ""],
            [
                format_shape(token_emb.shape),
                f"{VOCAB_SIZE * p.output_dim:,} ({VOCAB_SIZE:,} x {p.output_dim})",
            ],
            [
                format_shape(pos_emb.shape),
                f"{p.num_tokens * p.output_dim:,} ({p.num_tokens} x {p.output_dim})",
            ],
            [format_shape(input_emb.shape), ""],
        ],
        row_labels=["token ids", "token embeddings", "positional embeddings", "input embeddings"],
    )
    notes = [
        f"The token table has one row per vocabulary entry: {VOCAB_SIZE:,} x {p.output_dim} = "
        f"{VOCAB_SIZE * p.output_dim:,} trainable numbers. Looking up an id just reads its row.",
        f"Positions 0..{p.num_tokens - 1} get their own rows from a {p.num_tokens} x "
        f"{p.output_dim} table; adding {format_shape(pos_emb.shape)} to "
        f"{format_shape(token_emb.shape)} broadcasts over the batch, giving "
        f"{format_shape(input_emb.shape)}.",
    ]
    repeats = [t for t in dict.fromkeys(ids) if ids.count(t) > 1]
    if repeats:
        token = repeats[0]
        a, b = [i for i, t in enumerate(ids) if t == token][:2]
        same = bool(torch.equal(token_emb[0, a], token_emb[0, b]))
        gap = float((input_emb[0, a] - input_emb[0, b]).abs().max())
        notes.append(
            f"{shipped.label(token)} appears at positions {a} and {b}: its token embeddings are "
            f"{'identical' if same else 'different'}, but after adding positions the inputs "
            f"differ by up to {gap:.3f}, so attention can tell the two apart."
        )
    else:
        notes.append(
            "Without the positional rows, a repeated token would look identical wherever it "
            "stood; attention itself ignores order."
        )
    notes.append("These tables are freshly initialised (random); training moves them.")
    return DemoResult(
        "Token + positional embeddings",
        tables=[
            shapes,
            Table(f"token embeddings{cut}", dims, _first_dims(token_emb[0]), labels, heat=True),
            Table(
                f"positional embeddings{cut}",
                dims,
                _first_dims(pos_emb),
                [f"pos {i}" for i in range(p.num_tokens)],
                heat=True,
            ),
            Table(
                f"input embeddings = token + position{cut}",
                dims,
                _first_dims(input_emb[0]),
                labels,
                heat=True,
            ),
        ],
        notes=notes,
        values={
            "token_ids": ids,
            "shapes": {
                "token_ids": list(token_ids.shape),
                "token_embeddings": list(token_emb.shape),
                "positional_embeddings": list(pos_emb.shape),
                "input_embeddings": list(input_emb.shape),
            },
            "token_table_parameters": VOCAB_SIZE * p.output_dim,
            "token_embeddings": token_emb[0].tolist(),
            "positional_embeddings": pos_emb.tolist(),
            "input_embeddings": input_emb[0].tolist(),
        },
    )


def _first_dims(matrix: Any) -> list[list[Any]]:
    return rounded(matrix[:, :DIMS_SHOWN], 3)


class NeighboursParams(DemoParams):
    word: str = Field("model", min_length=1, max_length=40, description="Word to look up.")
    k: int = Field(8, ge=1, le=20, description="How many neighbours to list.")
    model: ModelChoice = Field("smollm2", description=MODEL_HELP)


@register(
    "embedding-neighbours",
    "Nearest tokens in a model's embeddings",
    "Nearest tokens by cosine in the token embeddings.",
    NeighboursParams,
    section="2.1",
)
def embedding_neighbours(p: NeighboursParams) -> DemoResult:
    import torch

    lm = shipped.language_model(p.model)
    word = p.word.strip() or p.word
    spaced, bare = lm.encode(" " + word), lm.encode(word)
    query_ids = spaced if len(spaced) == 1 else bare if len(bare) == 1 else spaced
    table = lm.model.tok_emb.weight.detach().float()
    query = table[query_ids].mean(dim=0)
    with torch.no_grad():
        # cos(a, q) = a . q / (|a| |q|): one product with the table, no normalised copy of it
        norms = torch.linalg.vector_norm(table, dim=1).clamp_min(1e-12)
        cosines = (table @ query) / (norms * torch.linalg.vector_norm(query).clamp_min(1e-12))
        ranked = cosines.clone()
        ranked[query_ids] = -2.0  # never list the query itself
        best = torch.topk(ranked, p.k)
        generator = torch.Generator().manual_seed(p.seed)
        sample = torch.randint(0, table.shape[0], (2000,), generator=generator)
        baseline = float(cosines[sample].mean())
    neighbours: list[dict[str, Any]] = [
        {"id": int(i), "token": lm.label(int(i)), "cosine": float(c)}
        for c, i in zip(best.values, best.indices, strict=True)
    ]
    query_text = " + ".join(lm.label(i) for i in query_ids)
    notes = [
        *lm.notes,
        f"The query is {query_text}"
        + (
            f", the mean of {len(query_ids)} token vectors, since {word!r} is not one token."
            if len(query_ids) > 1
            else f" (id {query_ids[0]})."
        ),
        f"Closest: {neighbours[0]['token']} at cosine {neighbours[0]['cosine']:.3f}; the "
        f"{p.k}th at {neighbours[-1]['cosine']:.3f}. A random token scores {baseline:.3f} on "
        "average.",
        f"These are the {table.shape[1]}-dimensional token embeddings of {lm.describe()}: "
        + (
            "tokens used in similar contexts end up close."
            if lm.is_smollm2
            else "tokens used in similar contexts in the notes end up close."
        ),
    ]
    if baseline < -0.2 and not lm.is_smollm2:
        notes.append(
            "Tokens the notes never use only ever receive the gradient that lowers their "
            "probability, and (the output layer sharing these vectors) that push points the "
            "same way for all of them: they crowd together, away from the words the notes use, "
            f"which is why a random token scores {baseline:.2f}."
        )
    return DemoResult(
        f"Nearest neighbours of {word!r} in {lm.name}",
        tables=[
            Table(
                f"nearest tokens to {query_text}",
                ["token", "id", "cosine"],
                [[n["token"], n["id"], round(n["cosine"], 4)] for n in neighbours],
                row_labels=[str(i + 1) for i in range(len(neighbours))],
            )
        ],
        series=[
            Series(
                "cosine similarity by rank",
                [float(i + 1) for i in range(len(neighbours))],
                {"cosine": [n["cosine"] for n in neighbours]},
                "rank",
                "cosine",
                kind="bar",
                x_ticks=[n["token"] for n in neighbours],
            )
        ],
        notes=notes,
        values={
            "query_ids": query_ids,
            "neighbours": neighbours,
            "random_token_mean_cosine": baseline,
        },
    )


# The book's simple word tokenizer (ch. 2): split on punctuation, "--" and whitespace, keeping
# the punctuation as tokens of its own.
WORD_PATTERN = r'([,.:;?_!"()\']|--|\s)'
UNKNOWN = "<|unk|>"


def word_tokens(text: str) -> list[str]:
    import re

    return [piece.strip() for piece in re.split(WORD_PATTERN, text) if piece.strip()]


@functools.cache
def _corpus_vocabularies() -> tuple[frozenset[str], frozenset[str], int, int]:
    """Characters and words of the study notes: (chars, words, characters in all, words in all)."""
    texts = [text for _, text in shipped.corpus_texts()]
    chars: set[str] = set()
    words: set[str] = set()
    n_chars = n_words = 0
    for text in texts:
        chars.update(text)
        pieces = word_tokens(text)
        words.update(pieces)
        n_chars += len(text)
        n_words += len(pieces)
    return frozenset(chars), frozenset(words), n_chars, n_words


class LevelsParams(DemoParams):
    text: str = Field(
        "Hello, do you like tea? Tokenizers split text into tokens.",
        min_length=1,
        max_length=500,
        description="Text to tokenize three ways.",
    )


def _visible(pieces: list[str]) -> list[str]:
    """Spaces as ␣ and newlines as ↵, so that a token's leading space can be seen."""
    return [piece.replace(" ", "␣").replace("\n", "↵") for piece in pieces]


def _preview(pieces: list[str], width: int = 30) -> str:
    shown = "|".join(pieces)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


@register(
    "tokenization-levels",
    "Characters, words and BPE tokens",
    "Characters, words, BPE: lengths, vocabularies.",
    LevelsParams,
    random=False,
    section="2.2",
)
def tokenization_levels(p: LevelsParams) -> DemoResult:
    chars, words, corpus_chars, corpus_words = _corpus_vocabularies()
    text = p.text
    char_pieces = list(text)
    word_pieces = word_tokens(text)
    bpe_ids = shipped.encode(text)
    bpe_pieces = [shipped.decode([i]) for i in bpe_ids]
    unknown_chars = sorted({c for c in char_pieces if c not in chars})
    unknown_words = list(dict.fromkeys(w for w in word_pieces if w not in words))
    unknown_word_count = sum(1 for w in word_pieces if w not in words)
    # Vocabularies: what the study notes contain, plus <|unk|> and <|endoftext|> for words.
    char_vocab, word_vocab = len(chars), len(words) + 2
    levels = {
        "characters": (char_pieces, char_vocab, sum(1 for c in char_pieces if c not in chars)),
        "words": (word_pieces, word_vocab, unknown_word_count),
        "BPE (GPT-2)": (bpe_pieces, VOCAB_SIZE, 0),
    }
    shown_words = [w if w in words else UNKNOWN for w in word_pieces]
    table = Table(
        "one text, three tokenizers",
        ["tokens", "vocabulary", "unknown", "first tokens"],
        [
            [len(pieces), f"{vocab:,}", unknown, _preview(shown)]
            for (pieces, vocab, unknown), shown in zip(
                levels.values(),
                [_visible(char_pieces), shown_words, _visible(bpe_pieces)],
                strict=True,
            )
        ],
        row_labels=list(levels),
    )
    notes = [
        f"{plural(len(text), 'character')} make {plural(len(word_pieces), 'word-level token')}"
        f" (words and punctuation) and {plural(len(bpe_ids), 'BPE token')}"
        + (
            ": the finer the level, the longer the sequence the model must read, and "
            "attention's cost grows with its square."
            if len(text) >= len(bpe_ids) >= len(word_pieces)
            else "."
        ),
        f"Vocabularies from our study notes ({corpus_chars:,} characters, {corpus_words:,} "
        f"words): {char_vocab:,} distinct characters against {word_vocab:,} words (with "
        f"{UNKNOWN} and <|endoftext|>); GPT-2's BPE has {VOCAB_SIZE:,} tokens.",
    ]
    if unknown_words:
        listed = ", ".join(repr(w) for w in unknown_words[:4])
        notes.append(
            f"A word vocabulary built from the notes has never seen {listed}"
            f"{' and more' if len(unknown_words) > 4 else ''}: {plural(unknown_word_count, 'word')}"
            f" of this text become {UNKNOWN}, and what they said is lost. BPE spells any word from "
            "smaller pieces, down to single bytes, so it needs no unknown token."
        )
    else:
        notes.append(
            "Every word of this text occurs in the notes, so even the word vocabulary knows them "
            "all; a word it has never seen would become <|unk|>, while BPE would spell it from "
            "smaller pieces."
        )
    if unknown_chars:
        notes.append(
            f"Even characters can be unknown: {', '.join(repr(c) for c in unknown_chars[:4])} "
            "never occur in the notes. BPE works on bytes, so no character is ever out of its "
            "vocabulary."
        )
    return DemoResult(
        "Characters, words and BPE tokens",
        tables=[table],
        notes=notes,
        values={
            "lengths": {name: len(pieces) for name, (pieces, _, _) in levels.items()},
            "vocabulary": {name: vocab for name, (_, vocab, _) in levels.items()},
            "unknown": {name: unknown for name, (_, _, unknown) in levels.items()},
            "unknown_words": unknown_words,
            "unknown_characters": unknown_chars,
            "words": word_pieces,
            "bpe_ids": bpe_ids,
        },
    )
