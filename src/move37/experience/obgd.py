"""ObGD, the overshooting-bounded gradient descent of Elsayed, Vasan and Mahmood (2024), "Streaming Deep
Reinforcement Learning Finally Works".

A streaming learner updates on every transition with eligibility traces z (z <- gamma * lambda * z + grad)
and the TD error delta: theta <- theta + alpha * delta * z. One large delta on a long trace moves the
network far past the target (overshooting) and it diverges. ObGD shrinks the step whenever the update
could overshoot: with delta_bar = max(|delta|, 1) and M = alpha * kappa * delta_bar * ||z||_1, the step
size is alpha / M when M > 1, else alpha.

The gradient given to `step` is that of the *prediction* (the value, or the Q-value of the action taken),
pushed in with the sign that decreases the loss: the learners back-propagate -prediction, as the paper's
code does, and ObGD moves by -step * delta * z.
"""

from __future__ import annotations

import torch


class ObGD(torch.optim.Optimizer):
    """lr: alpha; gamma, lam: the trace decay; kappa: how cautiously the step is bounded (2 for values, 3 for
    policies in the paper)."""

    def __init__(self, params, lr: float = 1.0, gamma: float = 0.99, lam: float = 0.8, kappa: float = 2.0):
        super().__init__(params, dict(lr=lr, gamma=gamma, lam=lam, kappa=kappa))

    def traces(self) -> list[torch.Tensor]:
        return [self.state[p]["trace"] for g in self.param_groups for p in g["params"] if "trace" in self.state[p]]

    @torch.no_grad()
    def step(self, delta: float, reset: bool = False) -> float:
        """Decay the traces, add the gradients, take the bounded step; `reset` clears the traces afterwards
        (episode end). Returns the step size taken. (One group's settings: the learners here have one group.)"""
        group = self.param_groups[0]
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if "trace" not in self.state[p]:
                self.state[p]["trace"] = torch.zeros_like(p)
        traces = [self.state[p]["trace"] for p in params]
        torch._foreach_mul_(traces, group["gamma"] * group["lam"])
        torch._foreach_add_(traces, [p.grad for p in params])
        z_sum = float(torch.stack(torch._foreach_norm(traces, 1)).sum())
        bound = group["lr"] * group["kappa"] * max(abs(delta), 1.0) * z_sum
        step_size = group["lr"] / bound if bound > 1.0 else group["lr"]
        torch._foreach_add_(params, traces, alpha=-step_size * delta)
        if reset:
            torch._foreach_zero_(traces)
        return step_size
