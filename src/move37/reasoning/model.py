"""A small character-level decoder-only transformer (nanoGPT style) with KV-cached sampling.

Pre-norm blocks, learned absolute positions, tied input/output embeddings. `sample`
generates a batch of completions with a key/value cache so each new token costs one
position, not the whole sequence, which is what makes GRPO's many samples cheap on
a CPU. Shapes: B batch, T time, C channels, H heads, V vocabulary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from move37.reasoning import vocab


@dataclass(frozen=True)
class ModelConfig:
    """Architecture; stored beside the weights so a checkpoint rebuilds its own model."""

    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 64
    block_size: int = 128  # longest prompt + completion, in tokens

    def to_dict(self) -> dict:
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)

    def forward(self, x: torch.Tensor, cache: tuple | None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # (B, H, T, C/H)
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        # with a cache a single new query sees every cached key, so no mask is needed
        y = F.scaled_dot_product_attention(q, k, v, is_causal=cache is None and T > 1)
        return self.proj(y.transpose(1, 2).reshape(B, T, C)), (k, v)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(cfg.n_embd), nn.LayerNorm(cfg.n_embd)
        self.attn = Attention(cfg)
        self.mlp = nn.Sequential(nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(), nn.Linear(4 * cfg.n_embd, cfg.n_embd))

    def forward(self, x: torch.Tensor, cache: tuple | None):
        a, cache = self.attn(self.ln1(x), cache)
        x = x + a
        return x + self.mlp(self.ln2(x)), cache


class CharTransformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(vocab.SIZE, cfg.n_embd)
        self.pos = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def hidden(self, idx: torch.Tensor, caches: list | None = None, start: int = 0):
        """idx (B, T) token ids at positions start..start+T-1 -> final hidden states (B, T, C), new caches."""
        T = idx.shape[1]
        if start + T > self.cfg.block_size:
            raise ValueError(f"sequence of {start + T} tokens exceeds block_size {self.cfg.block_size}")
        x = self.tok(idx) + self.pos(torch.arange(start, start + T, device=idx.device))  # (B, T, C)
        new = []
        for i, block in enumerate(self.blocks):
            x, c = block(x, None if caches is None else caches[i])
            new.append(c)
        return self.ln_f(x), new

    def forward(self, idx: torch.Tensor, caches: list | None = None, start: int = 0):
        """idx (B, T) token ids at positions start..start+T-1 -> logits (B, T, V), new caches."""
        h, new = self.hidden(idx, caches, start)
        return h @ self.tok.weight.T, new  # (B, T, V)

    @torch.no_grad()
    def sample(self, prompts: torch.Tensor, max_new: int, temperature: float = 1.0,
               generator: torch.Generator | None = None):
        """Complete equal-length prompts (B, Tp) (each starting with BOS).

        Returns tokens (B, L): each row the completion, then EOS, then PAD (no EOS
        when the length limit cut it). temperature 0 is greedy decoding.
        """
        B, Tp = prompts.shape
        max_new = min(max_new, self.cfg.block_size - Tp)
        logits, caches = self(prompts)
        out = torch.full((B, max_new), vocab.PAD, dtype=torch.long)
        done = torch.zeros(B, dtype=torch.bool)
        for t in range(max_new):
            last = logits[:, -1].float()
            if temperature > 0:
                probs = torch.softmax(last / temperature, dim=-1)
                nxt = torch.multinomial(probs, 1, generator=generator).squeeze(1)
            else:
                nxt = last.argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, vocab.PAD), nxt)
            out[:, t] = nxt
            done |= nxt == vocab.EOS
            if bool(done.all()) or t == max_new - 1:
                break
            logits, caches = self(nxt[:, None], caches, start=Tp + t)
        return out[:, : t + 1]
