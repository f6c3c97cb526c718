"""Dropout's scaling rule and what register_buffer changes, checked independently."""

from __future__ import annotations

import pytest

from studybuddy.demos import run_demo


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_survivors_are_exactly_scaled_by_one_over_one_minus_p(p):
    import torch

    result = run_demo("dropout-scaling", {"p": p, "size": 8, "draws": 10})
    inputs = torch.tensor(result.values["input"])
    output = torch.tensor(result.values["output"])
    kept = output != 0
    assert torch.equal(kept, torch.tensor(result.values["kept"]))
    assert 0 < int(kept.sum()) < inputs.numel()
    # nn.Dropout multiplies by 1 / (1 - p) in float32
    expected = inputs[kept] * torch.tensor(1 / (1 - p), dtype=torch.float32)
    assert torch.allclose(output[kept], expected, rtol=1e-6, atol=0)
    assert (output[~kept] == 0).all()


def test_dropout_keeps_the_mean_over_many_draws_and_is_the_identity_in_eval():
    result = run_demo("dropout-scaling", {"p": 0.5, "size": 6, "draws": 20_000})
    values = result.values
    assert values["draws_used"] == 20_000
    assert values["dropped_share_all_draws"] == pytest.approx(0.5, abs=0.01)
    assert values["mean_over_draws"] == pytest.approx(values["input_mean"], rel=0.01)
    inputs = values["input"]
    for row_in, row_mean in zip(inputs, values["mean_per_entry"], strict=True):
        assert row_mean == pytest.approx(row_in, rel=0.1)
    assert values["eval_is_identity"] is True


def test_dropout_work_is_bounded_and_says_so():
    result = run_demo("dropout-scaling", {"size": 64, "draws": 100_000})
    assert result.values["draws_used"] < 100_000
    assert any("not 100,000" in note for note in result.notes)


def test_p_zero_drops_nothing():
    result = run_demo("dropout-scaling", {"p": 0.0, "draws": 3})
    assert result.values["output"] == result.values["input"]


def test_buffers_follow_to_and_stay_out_of_parameters():
    result = run_demo("register-buffer", {"context_length": 4})
    facts = result.values["facts"]
    persistent = facts["register_buffer('mask', ...)"]
    engine = facts["engine CausalAttention.mask (persistent=False)"]
    plain = facts["plain attribute self.plain_mask"]
    weight = facts["parameter W_query.weight"]
    assert persistent["in buffers()"] and not persistent["in parameters()"]
    assert persistent["in state_dict()"] and not engine["in state_dict()"]
    assert persistent["device after .to('meta')"] == "meta"
    assert engine["device after .to('meta')"] == "meta"
    assert plain["device after .to('meta')"] == "cpu"
    assert not plain["in buffers()"] and not plain["in state_dict()"]
    assert weight["in parameters()"] and weight["trained by an optimizer"]
    # the mask: True strictly above the diagonal
    assert result.values["mask"] == [[int(j > i) for j in range(4)] for i in range(4)]
    # 3 x 2 for each of W_query, W_key, W_value, no bias
    assert result.values["parameter_count"] == 3 * 3 * 2
