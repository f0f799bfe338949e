#!/bin/sh
# The live runs behind docs/results/experience.md, each in runs/experience/NAME (resumable: run the script
# again to continue them). MINUTES caps each run's session; STEPS is each baseline and cycle run's total.
# Usage: [ONLY=baselines|cycle|feedback] sh bench/experience_runs.sh [MINUTES] [STEPS]
M=${1:-60}
S=${2:-300000}
PY=${PYTHON:-python}
live() { name=$1; shift; nice -n 10 $PY -m move37.cli live --out runs/experience/$name "$@" --minutes "$M" \
    --quiet > runs/experience/$name.log 2>&1 & }
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
mkdir -p runs/experience
if want baselines; then  # stream Q beside the replay DQN on one game each
live breakout-streamq --stream minatar:games=breakout --agent streamq:explore=50000 --steps "$S"
live breakout-dqn --stream minatar:games=breakout --agent dqn:explore=50000 --steps "$S"
live freeway-streamq --stream minatar:games=freeway --agent streamq:explore=50000 --steps "$S"
live freeway-dqn --stream minatar:games=freeway --agent dqn:explore=50000 --steps "$S"
fi
if want cycle; then  # plasticity: four games in a fixed cycle, 1000 steps a visit; plain beside continual backprop
CYCLE=minatar:games=breakout+space_invaders+asterix+seaquest,switch=1000
live cycle-plain --stream $CYCLE --agent streamq:explore=5000 --steps "$S"
live cycle-cbp --stream $CYCLE --agent streamq:explore=5000,cbp=1e-4 --steps "$S"
fi
if want feedback; then  # the user wants the paddle right, then (from step 10000) left; a rating every 100 steps
FB=user:goals=right+left,change=10000,rate_every=100
live feedback-adapted --stream minatar:games=breakout --agent streamq:explore=5000 --feedback $FB --steps 20000
live feedback-first --stream minatar:games=breakout --agent streamq:explore=5000 --feedback $FB,reward=first --steps 20000
fi
wait
