# The two commands of the quick start. Both build .venv on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test venv clean bench-env

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test,trl,ray,envs,tasks]'
	touch $(STAMP)

venv: $(STAMP)

# The main job on built-in defaults: Connect Four from zero by self-play for 10 minutes
# (resumes runs/main when it exists), then the arena table against the baselines, the
# optimal-move rate on solver-labelled positions, and plots in runs/main/plots/.
MINUTES ?= 10
run: $(STAMP)
	$(BIN)/move37 train connect4 --out runs/main --minutes $(MINUTES) --then-evaluate

# The whole suite.
test: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

# A separate venv with the benchmark's peers (Pgx + mctx on JAX CPU, OpenSpiel) beside
# move37 itself, so `bench/selfplay.py` can run everything in one process run.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml
	$(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q torch==2.13.0 jax pgx mctx open_spiel dm-haiku optax -e '.[test]'
	touch $@

bench-env: $(BENCH_VENV)/.installed

clean:
	rm -rf $(VENV) build src/*.egg-info
