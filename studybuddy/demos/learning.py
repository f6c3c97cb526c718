"""How machine learning gets its programs and checks them: a rule found from examples instead of
written by hand, what choosing by a held-out set does to that set's score, what AdamW changes in
Adam's weight decay, and word vectors learned from the contexts words share (Word2Vec's idea)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, rounded, significant
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register

# --- learned-rule --------------------------------------------------------------------------------


class LearnedRuleParams(DemoParams):
    examples: int = Field(8, ge=2, le=50, description="Example pairs (Celsius, Fahrenheit).")
    noise: float = Field(0.0, ge=0.0, le=10.0, description="Measurement noise on each example.")
    steps: int = Field(300, ge=1, le=2000, description="Gradient-descent steps.")


def fahrenheit(celsius: float) -> float:
    """The hand-written program (Software 1.0): a person typed in 1.8 and 32."""
    return celsius * 9 / 5 + 32


@register(
    "learned-rule",
    "A program learned from examples (Software 2.0)",
    "Fit °C -> °F from examples: nobody types 1.8, 32.",
    LearnedRuleParams,
    section="A",
)
def learned_rule(p: LearnedRuleParams) -> DemoResult:
    import torch

    with seeded(p.seed):
        celsius = torch.rand(p.examples, 1) * 60 - 20  # examples between -20 and 40 degrees
        observed = celsius * 9 / 5 + 32 + torch.randn(p.examples, 1) * p.noise
        model = torch.nn.Linear(1, 1)  # starts from random weights: it knows no rule
    start_w, start_b = model.weight.detach().item(), model.bias.detach().item()
    optimizer = torch.optim.Adam(model.parameters(), lr=1.0)
    scale = 40.0  # inputs divided by 40, so that one learning rate suits weight and bias
    losses = []
    for _ in range(p.steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(celsius / scale), observed)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    w, b = model.weight.detach().item() / scale, model.bias.detach().item()
    new = [-40.0, 0.0, 37.0, 100.0]  # inputs it never saw
    with torch.no_grad():
        learned = model(torch.tensor([[c / scale] for c in new]))[:, 0].tolist()
    rows = [
        [c, fahrenheit(c), round(v, 2), round(v - fahrenheit(c), 2)]
        for c, v in zip(new, learned, strict=True)
    ]
    worst = max(abs(r[3]) for r in rows)
    notes = [
        f"Software 1.0: a person writes the rule, F = 1.8 C + 32. Software 2.0: a model with "
        f"random weights (w = {start_w / scale:.3f}, b = {start_b:.3f}) is shown "
        f"{p.examples} example pairs and gradient descent adjusts the weights.",
        f"After {p.steps} steps it has w = {w:.4f} and b = {b:.3f} (squared error "
        f"{losses[-1]:.4g}): the numbers 1.8 and 32 came out of the data; nobody typed them.",
        f"On temperatures it never saw, the learned program is off by at most {worst:.2f} "
        "degrees: the program is the weights, and the examples wrote it.",
    ]
    if p.noise > 0:
        notes.append(
            f"With noise {p.noise:g} on each example the data no longer pin the rule down "
            "exactly: the weights fit the noisy examples, and a different draw of examples gives "
            "a slightly different program."
        )
    return DemoResult(
        f"°C -> °F from {p.examples} examples",
        tables=[
            Table(
                "the hand-written rule against the learned one",
                ["°C", "rule", "learned", "error"],
                rows,
            ),  # fmt: skip
        ],
        series=[
            Series(
                "squared error while learning",
                [float(i + 1) for i in range(len(losses))],
                {"loss": losses},
                "step",
                "loss",
                log_y=False,
            )
        ],
        notes=notes,
        values={
            "w": w,
            "b": b,
            "loss": losses[-1],
            "learned": learned,
            "celsius": celsius[:, 0].tolist(),
            "observed": observed[:, 0].tolist(),
        },
    )


# --- held-out-reuse ------------------------------------------------------------------------------


class HeldOutParams(DemoParams):
    candidates: int = Field(200, ge=1, le=2000, description="Models compared on the one set.")
    examples: int = Field(100, ge=10, le=10_000, description="Examples in each held-out set.")


@register(
    "held-out-reuse",
    "Choosing on a set makes its score too good",
    "Best of many coin flips on one set vs a fresh set.",
    HeldOutParams,
    section="5.2",
)
def held_out_reuse(p: HeldOutParams) -> DemoResult:
    import torch

    with seeded(p.seed):
        # a yes/no task no model here can do: every candidate guesses at random
        val_labels = torch.randint(0, 2, (p.examples,))
        test_labels = torch.randint(0, 2, (p.examples,))
        val_guesses = torch.randint(0, 2, (p.candidates, p.examples))
        test_guesses = torch.randint(0, 2, (p.candidates, p.examples))
    val_acc = (val_guesses == val_labels).float().mean(dim=1)
    test_acc = (test_guesses == test_labels).float().mean(dim=1)
    best = int(val_acc.argmax())
    chosen_val, chosen_test = float(val_acc[best]), float(test_acc[best])
    rows = [
        ["chosen model", round(chosen_val, 3), round(chosen_test, 3)],
        ["average candidate", round(float(val_acc.mean()), 3), round(float(test_acc.mean()), 3)],
    ]
    spread = 0.5 / p.examples**0.5  # the standard deviation of one coin-flip accuracy
    notes = [
        f"{p.candidates} models that guess at random (every one is worth 50 %) are scored on the "
        f"same {p.examples} validation examples, and the best is kept.",
        f"Its validation accuracy is {chosen_val:.1%}: picking the luckiest of {p.candidates} "
        f"finds one about {(chosen_val - 0.5) / spread:.1f} standard deviations above chance.",
        f"On {p.examples} test examples it never influenced it scores {chosen_test:.1%}, as a "
        "coin would. A set that helped choose the model gives an optimistic score; only a set "
        "used once, at the very end, says how the model will do on new data.",
    ]
    if p.candidates == 1:
        notes[1] = "With one candidate nothing is chosen, so validation and test agree up to noise."
    return DemoResult(
        f"Best of {p.candidates} on {p.examples} examples",
        tables=[Table("accuracy", ["", "validation", "test"], rows)],
        notes=notes,
        values={
            "chosen_validation": chosen_val,
            "chosen_test": chosen_test,
            "validation": val_acc.tolist(),
            "test": test_acc.tolist(),
        },
    )


# --- adamw-decay ---------------------------------------------------------------------------------


class AdamWParams(DemoParams):
    weight_decay: float = Field(0.1, ge=0.0, le=1.0, description="Decay rate lambda.")
    lr: float = Field(0.01, ge=1e-5, le=0.1, description="Learning rate.")
    steps: int = Field(100, ge=1, le=1000, description="Optimizer steps.")
    gradient_ratio: float = Field(
        1000.0, ge=1.0, le=1e6, description="How much larger weight 1's gradients are."
    )


@register(
    "adamw-decay",
    "Weight decay in Adam (L2) and in AdamW (decoupled)",
    "Adam+L2 decays by gradient size; AdamW all alike.",
    AdamWParams,
    section="5.2",
)
def adamw_decay(p: AdamWParams) -> DemoResult:
    import torch

    # Two weights, both 1.0, whose loss gradients are noise: weight 1's `gradient_ratio` times
    # larger. The same gradients feed every run, so what differs between runs is the decay.
    with seeded(p.seed):
        gradients = torch.randn(p.steps, 2) * torch.tensor([1.0, 1.0 / p.gradient_ratio])

    def run(make: Any, decay: float) -> Any:
        w = torch.nn.Parameter(torch.ones(2))
        optimizer = make([w], lr=p.lr, weight_decay=decay)
        for g in gradients:
            w.grad = g.clone()
            optimizer.step()
        return w.detach()

    plain = run(torch.optim.Adam, 0.0)
    adam_l2 = run(torch.optim.Adam, p.weight_decay)
    adamw = run(torch.optim.AdamW, p.weight_decay)
    shrink_l2 = (plain - adam_l2).tolist()  # what the decay took off, per weight
    shrink_w = (plain - adamw).tolist()
    rows = [
        ["no decay", *rounded(plain.tolist(), 4)],
        ["Adam, weight_decay (L2)", *rounded(adam_l2.tolist(), 4)],
        ["AdamW (decoupled)", *rounded(adamw.tolist(), 4)],
        ["decay's effect, Adam L2", *rounded(shrink_l2, 4)],
        ["decay's effect, AdamW", *rounded(shrink_w, 4)],
    ]
    notes = [
        f"Both weights start at 1.0 and get noisy gradients, weight 1's {p.gradient_ratio:g} "
        f"times larger than weight 2's; {p.steps} steps at lr {p.lr:g}, lambda "
        f"{p.weight_decay:g}. The rows below 'no decay' show what the decay took off.",
        f"Adam with weight_decay adds lambda x w to the gradient, and Adam divides each gradient "
        f"by its running size: beside weight 1's large gradients the decay is small and took off "
        f"{significant(shrink_l2[0], 3)}; on weight 2 it is nearly all of the gradient and took "
        f"off {significant(shrink_l2[1], 3)}.",
        f"AdamW subtracts lr x lambda x w from each weight apart from the gradient step, so the "
        f"decay does not depend on the gradients: it took off {significant(shrink_w[0], 3)} and "
        f"{significant(shrink_w[1], 3)}.",
    ]
    if p.weight_decay == 0:
        notes = notes[:1] + ["With lambda = 0 there is no decay: all three runs agree."]
    return DemoResult(
        f"Adam's L2 against AdamW, lambda {p.weight_decay:g}",
        tables=[
            Table(
                "the two weights after training",
                ["", "weight 1 (large grads)", "weight 2 (small)"],
                rows,
            )
        ],  # fmt: skip
        notes=notes,
        values={
            "plain": plain.tolist(),
            "adam_l2": adam_l2.tolist(),
            "adamw": adamw.tolist(),
        },
    )


# --- word2vec ------------------------------------------------------------------------------------

# Our own tiny corpus: animals and vehicles never share a sentence pattern, so only the contexts
# they appear in can tell the model which words belong together.
WORD2VEC_SENTENCES = (
    "the cat eats fish", "the dog eats meat", "a cat drinks milk", "a dog drinks water",
    "the cat sleeps at home", "the dog sleeps at home", "my cat plays with a ball",
    "my dog plays with a ball", "the car needs fuel", "the truck needs fuel",
    "a car drives on the road", "a truck drives on the road", "my car is parked outside",
    "my truck is parked outside", "the bus drives on the road", "the bus needs fuel",
)  # fmt: skip
WORD2VEC_WORDS = ("cat", "dog", "car", "truck", "bus")


class Word2VecParams(DemoParams):
    dim: int = Field(8, ge=2, le=64, description="Embedding size.")
    window: int = Field(2, ge=1, le=4, description="Context words on each side.")
    steps: int = Field(300, ge=1, le=2000, description="Training steps (full batch).")


@register(
    "word2vec",
    "Word2Vec: words in similar contexts get similar vectors",
    "Skip-gram with negative sampling on 16 sentences.",
    Word2VecParams,
    section="2.1",
)
def word2vec(p: Word2VecParams) -> DemoResult:
    import torch
    import torch.nn.functional as F

    sentences = [s.split() for s in WORD2VEC_SENTENCES]
    vocab = sorted({w for s in sentences for w in s})
    index = {w: i for i, w in enumerate(vocab)}
    pairs = [
        (index[s[i]], index[s[j]])
        for s in sentences
        for i in range(len(s))
        for j in range(max(0, i - p.window), min(len(s), i + p.window + 1))
        if j != i
    ]
    centre = torch.tensor([a for a, _ in pairs])
    context = torch.tensor([b for _, b in pairs])
    with seeded(p.seed):
        words = torch.nn.Embedding(len(vocab), p.dim)  # the vectors we keep
        contexts = torch.nn.Embedding(len(vocab), p.dim)  # a second table for context words
        torch.nn.init.normal_(words.weight, std=0.1)
        torch.nn.init.normal_(contexts.weight, std=0.1)
        optimizer = torch.optim.Adam([*words.parameters(), *contexts.parameters()], lr=0.05)
        losses = []
        for _ in range(p.steps):
            negatives = torch.randint(0, len(vocab), (len(pairs), 3))  # random "wrong" contexts
            w = words(centre)
            positive = (w * contexts(context)).sum(-1)
            negative = (w.unsqueeze(1) * contexts(negatives)).sum(-1)
            loss = -(F.logsigmoid(positive).mean() + F.logsigmoid(-negative).mean())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    vectors = words.weight.detach()[[index[w] for w in WORD2VEC_WORDS]]
    cosine = F.cosine_similarity(vectors.unsqueeze(1), vectors.unsqueeze(0), dim=-1)
    table = rounded(cosine, 3)
    c = {
        (a, b): float(cosine[i, j])
        for i, a in enumerate(WORD2VEC_WORDS)
        for j, b in enumerate(WORD2VEC_WORDS)
    }
    notes = [
        f"{len(pairs)} (word, context word) pairs from {len(sentences)} sentences, a window of "
        f"{p.window} words on each side. Training pushes up the score w . c of pairs that occur "
        "and down that of random pairs (negative sampling); no one says what any word means.",
        f"cat and dog never share a sentence but share contexts (eats, drinks, sleeps, plays): "
        f"their vectors have cosine {c['cat', 'dog']:.2f}; car and truck {c['car', 'truck']:.2f}.",
        f"Across the groups, cat and car score {c['cat', 'car']:.2f} and dog and truck "
        f"{c['dog', 'truck']:.2f}: similar contexts made similar vectors, and only the contexts.",
    ]
    return DemoResult(
        f"Word2Vec (skip-gram) with {p.dim} dimensions",
        tables=[
            Table(
                "cosine similarity of the learned vectors",
                list(WORD2VEC_WORDS),
                table,
                list(WORD2VEC_WORDS),
                heat=True,
            )
        ],  # fmt: skip
        series=[
            Series(
                "loss while training",
                [float(i + 1) for i in range(len(losses))],
                {"loss": losses},
                "step",
                "loss",
            )
        ],
        notes=notes,
        values={"cosine": {f"{a}-{b}": v for (a, b), v in c.items()}, "vectors": vectors.tolist()},
    )


# --- learning-signals ----------------------------------------------------------------------------


class LearningSignalsParams(DemoParams):
    points: int = Field(200, ge=10, le=5000, description="Points for the first two learners.")
    pulls: int = Field(500, ge=10, le=10_000, description="Tries for the reinforcement learner.")


@register(
    "learning-signals",
    "Supervised, unsupervised and reinforcement learning",
    "Labels, no labels, rewards: three learners.",
    LearningSignalsParams,
    section="A",
)
def learning_signals(p: LearningSignalsParams) -> DemoResult:
    import torch

    with seeded(p.seed):
        # two groups of points in the plane; `labels` says which group each came from
        labels = torch.randint(0, 2, (p.points,))
        centres = torch.tensor([[-1.5, 0.0], [1.5, 0.0]])
        x = centres[labels] + torch.randn(p.points, 2)
        # supervised: the learner sees the points and their labels
        classifier = torch.nn.Linear(2, 1)
        optimizer = torch.optim.SGD(classifier.parameters(), lr=0.5)
        for _ in range(100):
            optimizer.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                classifier(x)[:, 0], labels.float()
            )
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            supervised = float(((classifier(x)[:, 0] > 0).long() == labels).float().mean())
        # unsupervised: the same points, no labels; k-means finds two groups by itself
        means = x[torch.randperm(p.points)[:2]].clone()
        for _ in range(20):
            nearest = torch.cdist(x, means).argmin(dim=1)
            means = torch.stack(
                [x[nearest == k].mean(0) if (nearest == k).any() else means[k] for k in (0, 1)]
            )
        agree = float((nearest == labels).float().mean())
        unsupervised = max(agree, 1 - agree)  # the groups have no names: either naming
        # reinforcement: no examples at all, only a reward after each try
        payout = torch.tensor([0.2, 0.5, 0.8])  # hidden from the learner
        estimates, tries = torch.zeros(3), torch.zeros(3)
        for _ in range(p.pulls):
            explore = bool(torch.rand(()) < 0.1)
            arm = int(torch.randint(0, 3, ())) if explore else int(estimates.argmax())
            reward = float(torch.rand(()) < payout[arm])
            tries[arm] += 1
            estimates[arm] += (reward - estimates[arm]) / tries[arm]  # running mean
    best_share = float(tries[2] / p.pulls)
    rows = [
        ["supervised", "points + labels", "a dividing line", f"{supervised:.1%} right"],
        ["unsupervised", "points only", "2 clusters", f"{unsupervised:.1%} match"],
        ["reinforcement", "rewards", "the best lever", f"{best_share:.1%} on best"],
    ]
    notes = [
        f"Supervised: {p.points} points with a label each (as emails marked spam or not); "
        f"logistic regression learns to predict the label and gets {supervised:.1%} right.",
        f"Unsupervised: the same points without labels. k-means finds two groups by itself; "
        f"they match the hidden labels for {unsupervised:.1%} of the points, though nothing "
        "told it what the groups mean.",
        f"Reinforcement: three levers pay out with hidden chances 0.2, 0.5 and 0.8. The learner "
        f"only sees the reward after each of {p.pulls} tries; its estimates became "
        f"{', '.join(f'{v:.2f}' for v in estimates.tolist())}, and it pulled the best lever "
        f"{best_share:.1%} of the time (trying a random one 10 % of the time to keep learning).",
    ]
    return DemoResult(
        "Three ways to learn",
        tables=[Table("what each learner gets", ["", "given", "learns", "result"], rows)],
        notes=notes,
        values={
            "supervised": supervised,
            "unsupervised": unsupervised,
            "estimates": estimates.tolist(),
            "tries": tries.tolist(),
            "points": x.tolist(),
            "labels": labels.tolist(),
        },
    )
