#!/bin/sh
# The runs behind docs/results/world-model.md's Connect Four comparison, one after another in runs/wm2/NAME,
# each stopped at CPU_MINUTES of CPU time (bench/worldmodel_c4.py). Run it again to resume what is unfinished.
# Usage: sh bench/worldmodel_c4.sh [CPU_MINUTES]
M=${1:-22}
PY=${PYTHON:-python}
mkdir -p runs/wm2
go() { name=$1; shift; nice -n 10 $PY bench/worldmodel_c4.py run runs/wm2/$name "$M" -- connect4 "$@" >> runs/wm2/$name.log 2>&1; }
go muzero --algorithm muzero --config configs/muzero-connect4.json
go alphazero --config configs/connect4-noelo.json
go muzero-nolatent --algorithm muzero --config configs/muzero-connect4-nolatent.json
