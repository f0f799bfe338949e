"""The TRL adapter: rows and reward functions, and a real GRPOTrainer step with a tiny random model.

The GRPOTrainer test needs the optional extra (`pip install 'move37[trl]'`) and is
skipped without it. It builds a randomly initialised GPT-2 from a config and a
character tokenizer in code, so nothing is downloaded.
"""

import json

import numpy as np
import pytest

from move37.reasoning import tasks
from move37.reasoning.trl_adapter import dataset_rows, format_reward, reward_function


def test_rows_and_rewards_without_trl():
    rows = dataset_rows("addition:width=3", [2, 3], n=6, seed=1)
    assert [r["difficulty"] for r in rows] == [2, 3, 2, 3, 2, 3]
    assert rows == dataset_rows("addition:width=3", [2, 3], n=6, seed=1)
    task = tasks.make("addition:width=3")
    reward = reward_function("addition:width=3")
    columns = {k: [r[k] for r in rows] for k in ("task_prompt", "answer", "difficulty", "problem")}
    right = [task.reference(tasks.Problem(r["task_prompt"], r["answer"], r["difficulty"], json.loads(r["problem"])))
             for r in rows]
    assert reward([r["prompt"] for r in rows], right, **columns, trainer_state=None) == [1.0] * 6
    wrong = ["=>" + str(int(r["answer"]) + 1) for r in rows]
    chat = [[{"role": "assistant", "content": c + "\nextra words"}] for c in right]
    junk = ["=>__import__('os')", "x" * 100_000, "", "=>" + "9" * 500, "=>1\n=>2", "no answer"]
    assert reward(None, wrong, **columns) == [0.0] * 6
    assert reward(None, chat, **columns) == [1.0] * 6
    assert reward(None, junk, **columns) == [0.0] * 6
    assert format_reward(None, ["a=>1", "a=>", "none"]) == [0.1, 0.0, 0.0]
    assert reward.__name__ == "addition_verifier"


def _char_tokenizer():
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    chars = [chr(c) for c in range(32, 127)] + ["\n"]
    vocab = {"<pad>": 0, "<eos>": 1, "<unk>": 2, **{c: i + 3 for i, c in enumerate(chars)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")


def test_grpo_trainer_runs_with_move37_rewards(tmp_path):
    pytest.importorskip("trl")
    datasets = pytest.importorskip("datasets")
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    from trl import GRPOConfig, GRPOTrainer

    torch.manual_seed(0)
    tokenizer = _char_tokenizer()
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=32, n_layer=1, n_head=2,
                                       bos_token_id=1, eos_token_id=1, pad_token_id=0))
    rows = dataset_rows("addition:width=2", [1, 2], n=8, seed=0, instruction="")
    calls = []
    verifier = reward_function("addition:width=2")

    def recording(prompts, completions, **kwargs):
        calls.append((list(prompts), list(completions), kwargs))
        return verifier(prompts, completions, **kwargs)

    recording.__name__ = verifier.__name__
    args = GRPOConfig(output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=4, num_generations=4,
                      max_completion_length=12, learning_rate=1e-3, logging_steps=1, report_to=[], save_strategy="no",
                      use_cpu=True, bf16=False, seed=0, dataloader_num_workers=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[recording, format_reward], args=args,
                          train_dataset=datasets.Dataset.from_list(rows), processing_class=tokenizer)
    trainer.train()
    assert calls, "the reward function was never called"
    prompts, completions, kwargs = calls[0]
    assert len(prompts) == len(completions) and all(isinstance(c, str) for c in completions)
    assert set(kwargs) >= {"task_prompt", "answer", "difficulty", "problem"}
    # the rewards TRL received are exactly the verifier's judgement of those completions
    assert np.array_equal(verifier(prompts, completions, **kwargs),
                          [tasks.verify(tasks.make("addition:width=2"),
                                        tasks.Problem(tp, a, d, json.loads(m)), c).reward
                           for c, tp, a, d, m in zip(completions, kwargs["task_prompt"], kwargs["answer"],
                                                     kwargs["difficulty"], kwargs["problem"])])
    logged = [h for h in trainer.state.log_history if "reward" in h]
    assert len(logged) == 2


def test_reward_judges_the_final_answer_after_any_reasoning_and_honours_the_task_column():
    add, sort = dataset_rows("addition:width=3", [3], n=2, seed=2), dataset_rows("sorting", [3], n=2, seed=2)
    rows = add + sort
    columns = {k: [r[k] for r in rows] for k in ("task", "task_prompt", "answer", "difficulty", "problem")}
    long_reasoning = ["think " * 200 + "=>" + r["answer"] + "\nbye" for r in rows]
    assert len(long_reasoning[0]) > 1000
    assert reward_function()(None, long_reasoning, **columns) == [1.0] * 4  # each row by its own task's verifier
    assert reward_function("sorting")(None, long_reasoning, **columns) == [1.0] * 4  # the column wins
    no_column = {k: v[:2] for k, v in columns.items() if k != "task"}
    assert reward_function("addition:width=3")(None, long_reasoning[:2], **no_column) == [1.0] * 2
    assert reward_function("addition:width=3")(None, ["=>" + rows[2]["answer"]] * 2, **no_column) == [0.0] * 2
    assert reward_function()(None, ["=>" + "1" * 300] * 4, **columns) == [0.0] * 4
    with pytest.raises(Exception):
        reward_function("no-such-task")


def test_rows_never_serve_held_out_problems_nor_their_rewrites():
    from move37.reasoning import config
    from move37.reasoning.evaluate import held_out

    for spec in ("addition:width=2", "sorting", "countdown"):
        cfg = config.for_task(spec)
        task = tasks.make(spec)
        keys = {tasks.canonical(task, p) for ps in held_out(task, cfg.eval).values() for p in ps}
        rows = dataset_rows(spec, cfg.eval.difficulties, n=400, seed=0)
        got = {tasks.canonical(task, tasks.Problem(r["task_prompt"], r["answer"], r["difficulty"],
                                                   json.loads(r["problem"]))) for r in rows}
        assert not got & keys, spec
    task = tasks.make("addition:width=3")
    a = tasks.Problem("012+345=", "357", 3, {"a": "012", "b": "345"})
    b = tasks.Problem("345+012=", "357", 3, {"a": "345", "b": "012"})
    assert tasks.canonical(task, a) == tasks.canonical(task, b)
    sort = tasks.make("sorting")
    assert tasks.canonical(sort, tasks.Problem("sort 3 1:", "1 3", 2, {"values": [3, 1]})) == \
        tasks.canonical(sort, tasks.Problem("sort 1 3:", "1 3", 2, {"values": [1, 3]}))


def test_a_long_written_search_is_rewarded_by_its_path():
    """A Stream-of-Search completion hundreds of characters long is judged by its final path alone."""
    rows = dataset_rows("countdown_search", [4], n=30, seed=1)
    search = tasks.make("countdown_search:budget=40,skip=0.0")
    reward = reward_function("countdown_search")
    long_ones = 0
    for row in rows:
        problem = tasks.Problem(row["task_prompt"], row["answer"], row["difficulty"], json.loads(row["problem"]))
        text = search.demonstrate(problem, np.random.default_rng(0))
        solved = tasks.verify(search, problem, text).reward
        cols = {k: [row[k]] for k in ("task_prompt", "answer", "difficulty", "problem", "task")}
        assert reward(None, [text], **cols) == [solved]
        long_ones += len(text) > 256 and solved == 1.0
    assert long_ones >= 3
