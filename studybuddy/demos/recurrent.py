"""Before attention (ch. 3's history): an encoder-decoder RNN must squeeze the whole input into
one vector, and attention over every encoder state (Bahdanau et al.) lifts that bottleneck.
Both are trained for a moment on a toy copy task and scored against sequence length."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, ProgressFn, Series, Table
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register

SYMBOLS = 8  # the copied tokens are 0..7; 8 is the decoder's start token
BATCH = 32
TEST_SEQUENCES = 200  # per length


class RnnParams(DemoParams):
    hidden: int = Field(16, ge=4, le=48, description="Width of the RNN state (the bottleneck).")
    max_length: int = Field(8, ge=3, le=12, description="Longest sequence to copy.")
    # Work grows with steps x length: at the top of both bounds a run takes about 2.5 times the
    # default's time.
    steps: int = Field(120, ge=10, le=200, description="Training steps for each model.")


def _model(hidden: int, max_length: int, attention: bool) -> Any:
    import torch
    from torch import nn

    class Seq2Seq(nn.Module):
        """An RNN encoder and an RNN decoder (plain tanh RNNs: a GRU learns the same lesson but
        costs twice the time) started from the encoder's last state. With
        `attention`, each decoder state also scores every encoder state (additive scores, as in
        Bahdanau et al.) and reads their weighted average; the scores are taken after each
        decoder step (Luong et al.'s placement), so the decoder runs as one call.

        Both sides add a learned position embedding to each token, so that finding "the input
        at my position" is easy to learn in a few steps, for both models alike.
        """

        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(SYMBOLS + 1, hidden)
            self.position = nn.Embedding(max_length, hidden)
            self.encoder = nn.RNN(hidden, hidden, batch_first=True)
            self.decoder = nn.RNN(hidden, hidden, batch_first=True)
            self.score_state = nn.Linear(hidden, hidden, bias=False)
            self.score_keys = nn.Linear(hidden, hidden)
            self.score_out = nn.Linear(hidden, 1, bias=False)
            self.out = nn.Linear(hidden * (2 if attention else 1), SYMBOLS)

        def forward(self, source: Any) -> tuple[Any, Any]:
            """Logits for each output position given the correct previous token (teacher
            forcing), and the attention weights (batch, out, in) if any."""
            n = source.shape[1]
            places = self.position(torch.arange(n))
            states, last = self.encoder(self.embed(source) + places)
            start = torch.full_like(source[:, :1], SYMBOLS)
            previous = torch.cat([start, source[:, :-1]], dim=1)
            decoded, _ = self.decoder(self.embed(previous) + places, last)
            if not attention:
                return self.out(decoded), None
            scores = self.score_out(
                torch.tanh(self.score_keys(states)[:, None] + self.score_state(decoded)[:, :, None])
            ).squeeze(-1)  # (batch, out, in)
            weights = torch.softmax(scores, dim=-1)
            context = weights @ states
            return self.out(torch.cat([decoded, context], dim=-1)), weights

    return Seq2Seq()


@register(
    "rnn-bottleneck",
    "The RNN bottleneck, and attention",
    "RNN squeezed into one vector vs with attention.",
    RnnParams,
    streams_progress=True,
    section="3.1",
)
def rnn_bottleneck(p: RnnParams, on_progress: ProgressFn | None = None) -> DemoResult:
    import torch
    from torch.nn import functional as F

    lengths = list(range(2, p.max_length + 1))
    results: dict[str, dict[int, float]] = {}
    parameters: dict[str, int] = {}
    example_weights = None
    total = 2 * p.steps
    with seeded(p.seed):
        generator = torch.Generator().manual_seed(p.seed)
        tests = {
            n: torch.randint(0, SYMBOLS, (TEST_SEQUENCES, n), generator=generator) for n in lengths
        }
        for index, (name, attention) in enumerate(
            (("one vector", False), ("with attention", True))
        ):
            model = _model(p.hidden, p.max_length, attention)
            parameters[name] = sum(t.numel() for t in model.parameters())
            optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
            for step in range(p.steps):
                n = lengths[int(torch.randint(0, len(lengths), (1,), generator=generator))]
                batch = torch.randint(0, SYMBOLS, (BATCH, n), generator=generator)
                logits, _ = model(batch)
                loss = F.cross_entropy(logits.reshape(-1, SYMBOLS), batch.reshape(-1))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if on_progress is not None and step % 10 == 9:
                    on_progress(index * p.steps + step + 1, total, f"{name}: step {step + 1}")
            model.eval()
            with torch.no_grad():
                scores = {}
                for n, source in tests.items():
                    logits, weights = model(source)
                    scores[n] = float((logits.argmax(-1) == source).float().mean())
                    if weights is not None and n == p.max_length:
                        example_weights = weights[0]
            results[name] = scores
    plain, attended = results["one vector"], results["with attention"]
    short, long = lengths[0], lengths[-1]
    chance = 1 / SYMBOLS
    notes = [
        f"Both models copy sequences of {short} to {long} random tokens (of {SYMBOLS}) after "
        f"{p.steps} training steps each; accuracy is per output token, each predicted from "
        f"the correct tokens before it, on {TEST_SEQUENCES} new sequences per length (chance: "
        f"{chance:.3f}).",
    ]
    drop = plain[short] - plain[long]
    if drop > 0.1:
        notes.append(
            f"Through one {p.hidden}-number vector the accuracy falls from {plain[short]:.2f} at "
            f"length {short} to {plain[long]:.2f} at {long}: the decoder sees the input only "
            "through the encoder's last state, and a longer input has to fit in the same space."
        )
    if attended[long] > plain[long] + 0.1:
        notes.append(
            f"With attention the decoder looks back at every encoder state at each step, and "
            f"at length {long} it scores {attended[long]:.2f} against {plain[long]:.2f}: the "
            "bottleneck is gone. Self-attention in transformers grew out of this idea."
        )
    elif attended[long] <= plain[long] + 0.1:
        notes.append(
            f"Here attention does not help yet ({attended[long]:.2f} against {plain[long]:.2f} "
            f"at length {long}): with {p.steps} steps it has not learned where to look; try "
            "more steps."
        )
    if example_weights is not None:
        diagonal = float(example_weights.diagonal().mean())
        if diagonal > 0.5:
            notes.append(
                f"For a length-{long} input, output position t puts on average {diagonal:.2f} of "
                "its attention on input position t: it has learned to read the token it copies."
            )
    notes.append(
        f"Parameters: {parameters['one vector']:,} without attention, "
        f"{parameters['with attention']:,} with it (the scoring layers and a wider output "
        "layer)."
    )
    rows = [[n, round(plain[n], 3), round(attended[n], 3)] for n in lengths]
    tables = [
        Table(
            "copy accuracy by length",
            ["length", "one vector", "with attention"],
            rows,
        )
    ]
    if example_weights is not None:
        labels = [str(i + 1) for i in range(long)]
        tables.append(
            Table(
                f"attention weights for one length-{long} input (rows: output positions)",
                labels,
                [[round(float(w), 2) for w in row] for row in example_weights],
                labels,
                heat=True,
            )
        )
    return DemoResult(
        "Encoder-decoder RNN: one vector vs attention",
        tables=tables,
        series=[
            Series(
                "copy accuracy against sequence length",
                [float(n) for n in lengths],
                {
                    "one vector": [plain[n] for n in lengths],
                    "with attention": [attended[n] for n in lengths],
                },
                "length",
                "accuracy",
            )
        ],
        notes=notes,
        values={
            "lengths": lengths,
            "accuracy_one_vector": [plain[n] for n in lengths],
            "accuracy_attention": [attended[n] for n in lengths],
            "parameters": parameters,
            "attention_diagonal": float(example_weights.diagonal().mean())
            if example_weights is not None
            else None,
        },
    )
