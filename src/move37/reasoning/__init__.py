"""Reasoning from experience: RL with verifiable rewards on a small sequence model.

The DeepSeek-R1(-Zero) recipe at laptop scale: procedurally generated tasks with
exact verifiers and a flawed demonstrator (`tasks`), a character-level transformer
(`model`), supervised imitation of the demonstrator (`sft`), then GRPO-family RL
against the verifier (`grpo`) with an automatic curriculum (`curriculum`),
evaluation against the demonstrator (`evaluate`) and resumable run folders (`run`).
`trl_adapter` exposes the same tasks and rewards to Hugging Face TRL.
"""
