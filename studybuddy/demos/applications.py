"""What is done with a pretrained model (the book's ch. 1 overview): learning a task from examples
in the prompt (few-shot), the chat format that instruction tuning teaches, the comparison label
RLHF learns from, and why fine-tuning starts from pretrained weights rather than from scratch.

The prompt demos run on SmolLM2-135M-Instruct through our Llama engine (gpt-study, with a note,
when the model is not installed); fine-tuning runs on the shipped gpt-study, small enough to train
for a few steps while the reader waits.
"""

from __future__ import annotations

import copy
import math
from typing import Literal

from pydantic import Field

from studybuddy.demos import shipped
from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, significant
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import DemoError, register
from studybuddy.demos.shipped import language_model

# --- few-shot ------------------------------------------------------------------------------------

# Our own tasks: four worked examples each, then the question the model must answer.
FEW_SHOT_TASKS: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, str]]] = {
    "capitals": (
        (("France", "Paris"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Germany", "Berlin")),
        ("Japan", "Tokyo"),
    ),
    "plurals": (
        (("cat", "cats"), ("dog", "dogs"), ("box", "boxes"), ("car", "cars")),
        ("house", "houses"),
    ),
    "opposites": (
        (("hot", "cold"), ("big", "small"), ("up", "down"), ("fast", "slow")),
        ("happy", "sad"),
    ),
}


class FewShotParams(DemoParams):
    task: Literal["capitals", "plurals", "opposites"] = Field(
        "capitals", description="capitals, plurals or opposites."
    )


def _few_shot_prompt(examples: tuple[tuple[str, str], ...], question: str) -> str:
    return "".join(f"{a} => {b}\n" for a, b in examples) + f"{question} =>"


@register(
    "few-shot",
    "Zero-shot against few-shot: examples in the prompt",
    "P(right answer) with 0 to 4 examples in the prompt.",
    FewShotParams,
    random=False,
    section="1",
)
def few_shot(p: FewShotParams) -> DemoResult:
    import torch

    text = language_model()
    name, model, notes = text.name, text.model, list(text.notes)
    examples, (question, answer) = FEW_SHOT_TASKS[p.task]
    prompts = [text.encode(_few_shot_prompt(examples[:k], question)) for k in range(5)]
    answer_ids = text.encode(" " + answer)
    # One batch: each prompt followed by the answer, padded on the right. A causal model's
    # positions never see what comes after them, so the padding changes no score that is read.
    rows_ids = [ids + answer_ids for ids in prompts]
    width = max(len(r) for r in rows_ids)
    batch = torch.tensor([r + [0] * (width - len(r)) for r in rows_ids])
    with torch.no_grad():
        log_probs = torch.log_softmax(model(batch).float(), dim=-1)
    rows = []
    chances = []
    for k, ids in enumerate(prompts):
        start = len(ids) - 1  # the position that predicts the answer's first token
        lp = sum(float(log_probs[k, start + i, token]) for i, token in enumerate(answer_ids))
        top = int(log_probs[k, start].argmax())
        chances.append(math.exp(lp))
        rows.append([k, len(ids), significant(math.exp(lp), 3), repr(text.decode([top]))])
    best = max(range(5), key=lambda k: chances[k])
    first_right = next(
        (k for k in range(5) if rows[k][3] == repr(text.decode(answer_ids[:1]))), None
    )
    notes += [
        f"The question '{question} =>' alone (zero-shot) gives the answer '{answer}' "
        f"probability {significant(chances[0], 3)}; the model's likeliest next token is "
        f"{rows[0][3]}: it does not know what is asked.",
        f"With {plural_examples(best)} in the prompt the same model gives it "
        f"{significant(chances[best], 3)}, {chances[best] / chances[0]:,.0f} times as much.",
        (
            f"From {plural_examples(first_right)} on, the answer is the model's first choice."
            if first_right is not None
            else "The answer never becomes the model's first choice here."
        ),
        f"No weight changed between the rows ({name} is the same tensors each time): few-shot "
        "learning happens inside the prompt, from the pattern of the examples.",
    ]
    return DemoResult(
        f"{p.task}: zero- to four-shot on {name}",
        tables=[
            Table(
                f"P('{answer}') after the prompt",
                ["examples", "prompt tokens", "P(answer)", "likeliest next token"],
                rows,
            )
        ],
        notes=notes,
        values={"probabilities": chances, "model": name},
    )


def plural_examples(k: int) -> str:
    return f"{k} example" + ("" if k == 1 else "s")


# --- chat-template -------------------------------------------------------------------------------


class ChatTemplateParams(DemoParams):
    question: str = Field(
        "What is the capital of France?", min_length=1, max_length=200, description="Ask this."
    )
    max_tokens: int = Field(12, ge=1, le=32, description="Longest answer.")


@register(
    "chat-template",
    "What instruction tuning taught: the chat template",
    "The same question raw and in the chat format.",
    ChatTemplateParams,
    random=False,
    section="1",
)
def chat_template(p: ChatTemplateParams) -> DemoResult:
    import torch

    from studybuddy.engine.streaming import stream_tokens

    text = language_model()
    name, model, notes = text.name, text.model, list(text.notes)
    chat = text.render_chat([{"role": "user", "content": p.question}])
    answers = {}
    lengths = {}
    with torch.no_grad():
        for kind, prompt in (("raw", p.question), ("chat", chat)):
            ids = text.encode(prompt)
            out = []
            for token in stream_tokens(model, ids, p.max_tokens, stop_ids=text.stop_ids):
                if token in text.stop_ids:
                    break
                out.append(token)
            answers[kind] = text.decode(out)
            lengths[kind] = len(ids)
    chat_ids = text.encode(chat)
    special: list[tuple[str, int]] = [
        (text.decode([t]), t) for t in dict.fromkeys(chat_ids) if text.decode([t]).startswith("<|")
    ]
    notes += [
        f"Raw, the question is {lengths['raw']} tokens of plain text, and the model "
        + (
            f"continues it as text: {answers['raw']!r}."
            if answers["raw"].strip()
            else "ends the text at once (its first token is an end token): no answer."
        ),
        f"Through the chat template the same question becomes {lengths['chat']} tokens: a system "
        "turn, the user turn and the start of an assistant turn, marked by special tokens "
        f"({', '.join(s[0] for s in special) or 'none'}). Now it answers: {answers['chat']!r}.",
        "The chat prompt in full: " + chat.replace("\n", "↵"),
        "The weights are the same in both rows. Instruction tuning (supervised fine-tuning on "
        "instructions paired with good responses, written in this format) is what taught the "
        "model to answer after '<|im_start|>assistant'.",
    ]
    return DemoResult(
        f"A question raw and as a chat on {name}",
        tables=[
            Table(
                "the same question, two prompts",
                ["prompt", "tokens", "answer (start)"],
                [
                    ["raw question", lengths["raw"], _start(answers["raw"]) or "(none)"],
                    ["chat template", lengths["chat"], _start(answers["chat"]) or "(none)"],
                ],
            ),
            Table(
                "special tokens in the chat prompt", ["token", "id"], [list(row) for row in special]
            ),
        ],
        notes=notes,
        values={"answers": answers, "tokens": lengths, "chat_prompt": chat},
    )


def _start(text: str, width: int = 30) -> str:
    """The first characters of an answer for a table cell (the notes give it whole)."""
    text = text.replace("\n", "↵")
    return text if len(text) <= width else text[: width - 1] + "…"


# --- preference-pair -----------------------------------------------------------------------------


class PreferenceParams(DemoParams):
    prompt: str = Field(
        "What is the capital of France?", min_length=1, max_length=200, description="The prompt."
    )
    chosen: str = Field(
        "The capital of France is Paris.",
        min_length=1,
        max_length=200,
        description="The answer the rater preferred.",
    )
    rejected: str = Field(
        "The capital of France is Berlin.",
        min_length=1,
        max_length=200,
        description="The answer the rater liked less.",
    )


@register(
    "preference-pair",
    "A human comparison label and the reward-model loss",
    "Scores for two answers; loss -log sigmoid(margin).",
    PreferenceParams,
    random=False,
    section="1",
)
def preference_pair(p: PreferenceParams) -> DemoResult:
    import torch
    import torch.nn.functional as F

    text = language_model()
    name, model, notes = text.name, text.model, list(text.notes)
    prompt_ids = text.encode(text.render_chat([{"role": "user", "content": p.prompt}]))

    def score(answer: str) -> tuple[float, int]:
        """The mean log-probability per token of `answer` after the prompt."""
        answer_ids = text.encode(answer)
        ids = (prompt_ids + answer_ids)[-model.cfg.context_length :]
        with torch.no_grad():
            log_probs = torch.log_softmax(model(torch.tensor([ids]))[0].float(), dim=-1)
        start = len(ids) - len(answer_ids) - 1
        total = sum(float(log_probs[start + i, t]) for i, t in enumerate(answer_ids))
        return total / len(answer_ids), len(answer_ids)

    (r_chosen, n_chosen), (r_rejected, n_rejected) = score(p.chosen), score(p.rejected)
    margin = r_chosen - r_rejected
    loss = float(-F.logsigmoid(torch.tensor(margin)))
    swapped = float(-F.logsigmoid(torch.tensor(-margin)))
    rows = [
        ["chosen", _start(p.chosen), n_chosen, round(r_chosen, 4)],
        ["rejected", _start(p.rejected), n_rejected, round(r_rejected, 4)],
    ]
    notes += [
        "The label is a comparison: a person saw two answers to one prompt and marked the better "
        "one. Nobody wrote a score; the reward model must learn one that ranks them the same way.",
        f"As scores we use {name}'s mean log-probability per answer token (a stand-in for a "
        f"trained reward model's output): chosen {r_chosen:.4f}, rejected {r_rejected:.4f}, "
        f"margin {margin:+.4f}.",
        f"The reward-model loss is -log sigmoid(score_chosen - score_rejected) = {loss:.4f}; had "
        f"the rater preferred the other answer it would be {swapped:.4f}. Training lowers it by "
        "pushing the chosen answer's score above the rejected one's, and the policy is then "
        "tuned to earn high scores.",
    ]
    if margin > 0:
        notes.append("Here the model already ranks the answers as the rater did.")
    else:
        notes.append("Here the model ranks them the other way: this pair would teach it most.")
    return DemoResult(
        f"A preference pair scored by {name}",
        tables=[Table("the pair", ["", "answer", "tokens", "score"], rows)],
        notes=notes,
        values={"chosen": r_chosen, "rejected": r_rejected, "margin": margin, "loss": loss},
    )


# --- pretrain-finetune ---------------------------------------------------------------------------


class FinetuneParams(DemoParams):
    text: str = Field(
        "Attention lets every token look at every earlier token and mix in what it finds. "
        "The weights of that mix come from a softmax over scaled dot products.",
        min_length=20,
        max_length=1000,
        description="The new text both models are trained on.",
    )
    steps: int = Field(8, ge=1, le=30, description="AdamW steps for each model.")
    lr: float = Field(1e-3, ge=1e-5, le=1e-1, description="Learning rate.")


@register(
    "pretrain-finetune",
    "Fine-tuning a pretrained model against training from scratch",
    "Same steps on new text: pretrained vs random start.",
    FinetuneParams,
    section="5.2",
)
def pretrain_finetune(p: FinetuneParams) -> DemoResult:
    import torch

    from studybuddy.engine.model import GPTModel, count_parameters
    from studybuddy.engine.train import calc_loss_batch

    pretrained = copy.deepcopy(shipped.model())  # the cached model itself is not changed
    cfg = pretrained.cfg
    ids = shipped.encode(p.text)[: cfg.context_length + 1]
    if len(ids) < 3:
        raise DemoError("pretrain-finetune: the text needs at least three tokens")
    inputs, targets = torch.tensor([ids[:-1]]), torch.tensor([ids[1:]])
    with seeded(p.seed):
        scratch = GPTModel(cfg)
    curves: dict[str, list[float]] = {}
    for label, model in (("pretrained", pretrained), ("from scratch", scratch)):
        model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=p.lr, weight_decay=0.1)
        losses = []
        for _ in range(p.steps + 1):
            optimizer.zero_grad()
            loss = calc_loss_batch(inputs, targets, model)
            losses.append(loss.item())
            if len(losses) <= p.steps:
                loss.backward()
                optimizer.step()
        curves[label] = losses
    start_p, end_p = curves["pretrained"][0], curves["pretrained"][-1]
    start_s, end_s = curves["from scratch"][0], curves["from scratch"][-1]
    rows = [
        ["pretrained (gpt-study)", round(start_p, 3), round(end_p, 3)],
        ["random weights", round(start_s, 3), round(end_s, 3)],
    ]
    notes = [
        f"Both models have the same {count_parameters(scratch):,} parameters and see the same "
        f"{len(ids) - 1} tokens for {p.steps} AdamW steps at lr {p.lr:g}; one starts from "
        "gpt-study's pretrained weights, the other from random ones.",
        f"Before any step the pretrained model's loss is {start_p:.3f} against {start_s:.3f} "
        f"(ln {cfg.vocab_size:,} = {math.log(cfg.vocab_size):.2f} is a uniform guess): "
        "pretraining already taught it spelling, grammar and common words.",
        f"After {p.steps} steps: {end_p:.3f} against {end_s:.3f}. Fine-tuning adapts what "
        "pretraining built, so a little data and compute go a long way; from scratch the same "
        "steps are spent learning the basics of text.",
    ]
    if end_p >= end_s:
        notes[2] = (
            f"After {p.steps} steps: {end_p:.3f} against {end_s:.3f}: with this many steps on "
            "so short a text, the model from scratch has memorised it as well."
        )
    return DemoResult(
        f"{p.steps} steps on new text: pretrained vs from scratch",
        tables=[Table("loss on the new text", ["model", "before", f"after {p.steps} steps"], rows)],
        series=[
            Series(
                "loss while fine-tuning",
                [float(i) for i in range(p.steps + 1)],
                curves,
                "step",
                "loss",
            )
        ],
        notes=notes,
        values={"curves": curves},
    )


# --- retrieval -----------------------------------------------------------------------------------

# Our own notes about a made-up study group: facts no pretrained model can know.
NOTES = (
    "The study group meets every Thursday in room 214 of the library.",
    "The group's small model, gpt-study, has 4 transformer layers and 128-dimensional embeddings.",
    "Quiz nights are held on the last Friday of each month.",
    "The reading list starts with chapter 2 on tokenization and embeddings.",
)


class RetrievalParams(DemoParams):
    question: str = Field(
        "How many layers does gpt-study have?",
        min_length=1,
        max_length=200,
        description="A question about the group's notes.",
    )
    max_tokens: int = Field(16, ge=1, le=32, description="Longest answer.")


@register(
    "retrieval",
    "Retrieval-augmented generation: find a note, then answer",
    "Embed notes, pick the closest, answer with it.",
    RetrievalParams,
    random=False,
    section="2.7",
)
def retrieval(p: RetrievalParams) -> DemoResult:
    import torch
    import torch.nn.functional as F

    from studybuddy.engine.streaming import stream_tokens

    text = language_model()
    name, model, notes = text.name, text.model, list(text.notes)

    def embeddings(passages: list[str]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Two embeddings per passage: the mean of its token embeddings, and the mean of the
        model's last hidden states (what the model computes before its output head).

        All passages go through the model in one batch, padded on the right: a causal model's
        positions never see what follows them, so the padding changes no real position, and the
        means skip it."""
        rows = [text.encode(passage) for passage in passages]
        width = max(len(row) for row in rows)
        ids = torch.tensor([row + [0] * (width - len(row)) for row in rows])
        real = torch.tensor([[1.0] * len(row) + [0.0] * (width - len(row)) for row in rows])
        real = real.unsqueeze(-1)  # (passages, width, 1)
        with torch.no_grad():
            tokens = model.tok_emb(ids)
            hidden = model.final_norm(_last_hidden(model, ids))
        token_means = (tokens * real).sum(1) / real.sum(1)
        hidden_means = (hidden * real).sum(1) / real.sum(1)
        return list(zip(token_means, hidden_means, strict=True))

    def answer(prompt: str) -> str:
        ids = text.encode(text.render_chat([{"role": "user", "content": prompt}]))
        out = []
        with torch.no_grad():
            for token in stream_tokens(model, ids, p.max_tokens, stop_ids=text.stop_ids):
                if token in text.stop_ids:
                    break
                out.append(token)
        return text.decode(out).strip()

    query, *passages = embeddings([p.question, *NOTES])
    scores = [[float(F.cosine_similarity(query[k], e[k], dim=0)) for k in (0, 1)] for e in passages]
    best = max(range(len(NOTES)), key=lambda i: scores[i][0])
    by_hidden = max(range(len(NOTES)), key=lambda i: scores[i][1])
    without = answer(p.question)
    augmented_prompt = f"Answer from this note.\nNote: {NOTES[best]}\nQuestion: {p.question}"
    with_note = answer(augmented_prompt)
    rows = [
        [i + 1, _start(note), round(s[0], 3), round(s[1], 3)]
        for i, (note, s) in enumerate(zip(NOTES, scores, strict=True))
    ]
    notes += [
        f"1. Retrieve: each note and the question become one vector (the mean of their token "
        f"embeddings), compared by cosine similarity; note {best + 1} scores highest.",
        f"2. Augment: that note is put into the prompt before the question. 3. Generate: "
        f"{name} answers {with_note!r}.",
        f"Asked without the note it answers {without!r}: the notes are not in its training "
        "data, so without retrieval it can only guess.",
        (
            f"The last hidden states, compared the same way, would pick note {by_hidden + 1}"
            + (
                " too."
                if by_hidden == best
                else ": another embedding ranks the notes differently. A model's states are "
                "not made for comparing passages; embeddings trained for similarity are."
            )
        ),
    ]
    return DemoResult(
        f"Retrieval-augmented generation on {name}",
        tables=[
            Table(
                "cosine similarity of each note to the question",
                ["note", "text", "token emb.", "last hidden"],
                rows,
            )
        ],
        notes=notes,
        values={
            "scores": scores,
            "best": best,
            "answer_without": without,
            "answer_with": with_note,
        },
    )


def _last_hidden(model: object, ids: object) -> object:
    """The hidden states after the last block, on either engine."""
    x = model.tok_emb(ids)  # type: ignore[attr-defined]
    if hasattr(model, "rope"):  # Llama: positions enter through the rotation
        for block in model.trf_blocks:  # type: ignore[attr-defined]
            x = block(x, model.rope)
        return x
    import torch

    x = x + model.pos_emb(torch.arange(ids.shape[-1]))  # type: ignore[attr-defined]
    for block in model.trf_blocks:  # type: ignore[attr-defined]
        x = block(x)
    return x


# --- classifier-head -----------------------------------------------------------------------------


class ClassifierHeadParams(DemoParams):
    num_classes: int = Field(2, ge=2, le=10, description="Classes (2: spam or not spam).")
    text: str = Field(
        "You have won a free prize, click here", min_length=1, max_length=300, description="Input."
    )


@register(
    "classifier-head",
    "Classification fine-tuning: a new output head",
    "Swap the vocabulary head for a 2-class one.",
    ClassifierHeadParams,
    section="5.2",
)
def classifier_head(p: ClassifierHeadParams) -> DemoResult:
    import torch

    from studybuddy.engine.model import count_parameters

    model = copy.deepcopy(shipped.model())  # the cached model keeps its own head
    cfg = model.cfg
    old_head = sum(q.numel() for q in model.out_head.parameters())
    ids = shipped.encode(p.text)[-cfg.context_length :]
    with torch.no_grad():
        vocabulary_logits = model(torch.tensor([ids]))
    with seeded(p.seed):
        model.out_head = torch.nn.Linear(cfg.emb_dim, p.num_classes)
    # as in the book's chapter 6: train the new head, the last block and the final norm
    for q in model.parameters():
        q.requires_grad = False
    for part in (model.out_head, model.trf_blocks[-1], model.final_norm):
        for q in part.parameters():
            q.requires_grad = True
    trainable = sum(q.numel() for q in model.parameters() if q.requires_grad)
    with torch.no_grad():
        class_logits = model(torch.tensor([ids]))
        probs = torch.softmax(class_logits[0, -1], dim=-1)
    total = count_parameters(model)
    rows = [
        ["pretrained: next token", format_shape_of(vocabulary_logits), f"{old_head:,}"],
        [f"classifier: {p.num_classes} classes", format_shape_of(class_logits),
         f"{cfg.emb_dim * p.num_classes + p.num_classes:,}"],
    ]  # fmt: skip
    notes = [
        f"Pretrained, gpt-study's head scores all {cfg.vocab_size:,} tokens at each of the "
        f"{len(ids)} positions. For classification it is replaced by a {cfg.emb_dim} x "
        f"{p.num_classes} layer: {p.num_classes} scores per position.",
        f"Only the last position's scores are used (it is the only one that has seen the whole "
        f"text through the causal mask): softmax gives "
        f"{', '.join(f'{v:.3f}' for v in probs.tolist())}: a guess, as the new head is "
        "untrained.",
        f"Fine-tuning trains {trainable:,} of {total:,} parameters here (the new head, the last "
        "block and the final norm) on labelled examples. That is classification fine-tuning; "
        "instruction fine-tuning keeps the vocabulary head and trains on instructions paired "
        "with responses (see the chat-template demo).",
    ]
    return DemoResult(
        f"gpt-study with a {p.num_classes}-class head",
        tables=[Table("the output head", ["model", "output shape", "head parameters"], rows)],
        notes=notes,
        values={
            "vocabulary_shape": list(vocabulary_logits.shape),
            "class_shape": list(class_logits.shape),
            "trainable": trainable,
            "total": total,
            "probabilities": probs.tolist(),
        },
    )


def format_shape_of(tensor: object) -> str:
    from studybuddy.demos.common import format_shape

    return format_shape(tensor.shape)  # type: ignore[attr-defined]


# --- head-patterns -------------------------------------------------------------------------------


class HeadPatternsParams(DemoParams):
    sentence: str = Field(
        "The cat that the dog chased ran up the tree because it was scared",
        min_length=1,
        max_length=300,
        description="The text; the last token is the one that attends.",
    )
    layer: int = Field(0, ge=0, le=63, description="Which layer's heads to show (0: first).")


@register(
    "head-patterns",
    "Several attention heads look at different tokens",
    "SmolLM2: where each head of one layer looks.",
    HeadPatternsParams,
    random=False,
    section="3.6",
)
def head_patterns(p: HeadPatternsParams) -> DemoResult:
    import torch

    text = language_model()
    name, model, notes = text.name, text.model, list(text.notes)
    if not hasattr(model, "rope"):
        raise DemoError("head-patterns: needs SmolLM2 (" + "; ".join(notes) + ")")
    if p.layer >= model.cfg.n_layers:
        raise DemoError(f"head-patterns: layer must be below {model.cfg.n_layers}")
    ids = text.encode(p.sentence)[-model.cfg.context_length :]
    if len(ids) < 2:
        raise DemoError("head-patterns: the sentence needs at least two tokens")
    idx = torch.tensor([ids])
    with torch.no_grad():
        x = model.tok_emb(idx)
        for block in model.trf_blocks[: p.layer]:
            x = block(x, model.rope)
        block = model.trf_blocks[p.layer]
        normed = block.norm1(x)
        weights = block.att.attention_weights(normed, model.rope)[0, :, -1]  # (heads, tokens)
        # the same weights times the values must give what the layer itself computes
        _, _, values, _ = block.att.project(normed, model.rope)
        values = values.repeat_interleave(block.att.n_heads // block.att.n_kv_heads, dim=1)
        mixed = (weights.unsqueeze(1) @ values[0]).reshape(1, -1)
        own = block.att(normed, model.rope)[0, -1]
        gap = float((block.att.out_proj(mixed)[0] - own).abs().max())
    labels = [f"{text.decode([t])!r} ({i + 1})" for i, t in enumerate(ids)]
    rows = []
    tops = []
    for h in range(weights.shape[0]):
        top = torch.topk(weights[h], min(2, len(ids)))
        tops.append(int(top.indices[0]))
        rows.append(
            [h + 1]
            + [
                f"{labels[int(i)]} {float(w):.2f}"
                for i, w in zip(top.indices, top.values, strict=True)
            ]
        )
    distinct = len(set(tops))
    notes += [
        f"Layer {p.layer + 1} of {name} has {weights.shape[0]} heads. From the last token "
        f"({labels[-1]}) each spreads its weight over the {len(ids)} tokens differently; "
        f"their strongest links go to {distinct} different tokens.",
        "Each head has its own query and key projections, so each can learn its own kind of "
        "link (the previous token, the first token, a related word); one head would have to "
        "serve all of them with a single set of weights.",
        f"Check: these weights times the values, through out_proj, give the layer's own output "
        f"to within {gap:.1e}.",
    ]
    return DemoResult(
        f"Attention heads of layer {p.layer + 1} on {name}",
        tables=[
            Table(f"where each head looks from {labels[-1]}", ["head", "strongest", "second"], rows)
        ],
        notes=notes,
        values={
            "weights": weights.tolist(),
            "tokens": labels,
            "distinct_tops": distinct,
            "gap": gap,
        },
    )


# --- pretraining-objectives ----------------------------------------------------------------------


class ObjectivesParams(DemoParams):
    text: str = Field(
        "The encoder reads the whole input. The decoder writes the output one word at a time. "
        "Attention links every output word to the input words.",
        min_length=10,
        max_length=600,
        description="Two or more sentences to make training examples from.",
    )
    mask_rate: float = Field(0.15, ge=0.05, le=0.5, description="Share of words hidden.")


@register(
    "pretraining-objectives",
    "What each pretraining task asks: GPT, BERT, T5",
    "Next word, masked words, spans, next sentence.",
    ObjectivesParams,
    section="1",
)
def pretraining_objectives(p: ObjectivesParams) -> DemoResult:
    import re

    import torch

    sentences = [s for s in re.split(r"(?<=[.!?])\s+", p.text.strip()) if s]
    words = p.text.split()
    if len(words) < 4:
        raise DemoError("pretraining-objectives: the text needs at least four words")
    count = max(1, round(p.mask_rate * len(words)))
    with seeded(p.seed):
        hidden = sorted(torch.randperm(len(words))[:count].tolist())
        span_starts = sorted(torch.randperm(len(words) - 1)[: max(1, count // 2)].tolist())
        other = int(torch.randint(0, len(sentences), ()))
    # GPT: every word predicts the next one
    causal = [[" ".join(words[:i]), words[i]] for i in range(1, min(len(words), 5))]
    # BERT: hidden words become [MASK]; the encoder must recover them from both sides
    masked = " ".join("[MASK]" if i in hidden else w for i, w in enumerate(words))
    # T5: spans of two words become sentinels; the decoder writes the spans back
    spans: list[tuple[int, int]] = []
    for start in span_starts:
        if not spans or start >= spans[-1][1]:
            spans.append((start, min(start + 2, len(words))))
    corrupted, target, cursor = [], [], 0
    for k, (a, b) in enumerate(spans):
        corrupted += words[cursor:a] + [f"<X{k}>"]
        target += [f"<X{k}>"] + words[a:b]
        cursor = b
    corrupted += words[cursor:]
    gpt_rows = [["GPT", c if len(c) <= 25 else "…" + c[-24:], w] for c, w in causal]
    bert_rows = [["BERT", f"word {i + 1} -> [MASK]", words[i]] for i in hidden]
    t5_rows = [["T5/BART", f"words {a + 1}-{b} -> <X{k}>", " ".join(words[a:b])]
               for k, (a, b) in enumerate(spans)]  # fmt: skip
    nsp = []
    if len(sentences) >= 2:
        # a sentence that does not follow sentence A (A itself when there are only two)
        elsewhere = sentences[2:] or sentences[:1]
        nsp = [
            [_start(sentences[0]), _start(sentences[1]), "IsNext"],
            [_start(sentences[0]), _start(elsewhere[other % len(elsewhere)]), "NotNext"],
        ]
    notes = [
        f"One text, {len(words)} words, turned into training examples with no human labels: "
        "each task hides part of the text and asks for it back.",
        f"GPT (decoder): predict each next word from the ones before ({len(words) - 1} examples "
        f"from this text alone). BERT (encoder): {count} words become [MASK] and must be "
        f"recovered from both sides: {masked}",
        f"T5 and BART (encoder-decoder): the encoder reads a corrupted copy, "
        f"{' '.join(corrupted)}; the decoder writes what was removed: {' '.join(target)}. "
        "Reading and writing, both halves of the model, are trained.",
    ]
    if nsp:
        notes.append(
            "BERT's next sentence prediction: a pair of sentences labelled IsNext when the second "
            "really follows the first, NotNext when it was drawn from elsewhere."
        )
    tables = [
        Table("what each task hides", ["task", "input", "target"], gpt_rows + bert_rows + t5_rows)
    ]
    if nsp:
        tables.append(Table("next sentence prediction", ["sentence A", "sentence B", "label"], nsp))
    return DemoResult(
        "Pretraining tasks from one text",
        tables=tables,
        notes=notes,
        values={"hidden": hidden, "spans": spans, "corrupted": corrupted, "target": target},
    )
