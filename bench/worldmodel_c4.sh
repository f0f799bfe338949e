#!/bin/sh
# The runs behind docs/results/world-model.md's Connect Four comparison, one after another in runs/wm2/NAME,
# each stopped at CPU_MINUTES of CPU time (bench/worldmodel_c4.py). Run it again to resume what is unfinished.
# Usage: [MZ=15] [AZ=10] [NL=15] sh bench/worldmodel_c4.sh   (CPU minutes: MuZero, AlphaZero, MuZero without latent loss)
PY=${PYTHON:-python}
mkdir -p runs/wm2
go() { name=$1; m=$2; shift 2; nice -n 10 $PY bench/worldmodel_c4.py run runs/wm2/$name "$m" -- connect4 "$@" >> runs/wm2/$name.log 2>&1; }
go muzero "${MZ:-15}" --algorithm muzero --config configs/muzero-connect4.json
go alphazero "${AZ:-10}" --config configs/connect4-noelo.json
go muzero-nolatent "${NL:-15}" --algorithm muzero --config configs/muzero-connect4-nolatent.json
