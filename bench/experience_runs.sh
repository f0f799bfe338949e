#!/bin/sh
# The live runs behind docs/results/experience.md, each in runs/experience/NAME (resumable: run the script
# again to continue them). MINUTES caps each run's session; STEPS is each run's total.
# Usage: sh bench/experience_runs.sh [MINUTES] [STEPS]
M=${1:-60}
S=${2:-300000}
PY=${PYTHON:-python}
live() { name=$1; shift; nice -n 10 $PY -m move37.cli live --out runs/experience/$name "$@" --minutes "$M" \
    --quiet > runs/experience/$name.log 2>&1 & }
mkdir -p runs/experience
[ "$ONLY" = cycle ] || {
live breakout-streamq --stream minatar:games=breakout --agent streamq:explore=50000 --steps "$S"
live breakout-dqn --stream minatar:games=breakout --agent dqn:explore=50000 --steps "$S"
live freeway-streamq --stream minatar:games=freeway --agent streamq:explore=50000 --steps "$S"
live freeway-dqn --stream minatar:games=freeway --agent dqn:explore=50000 --steps "$S"
}
# plasticity: four games in a fixed cycle, each visit 5000 steps; plain training beside continual backprop
CYCLE=minatar:games=breakout+freeway+space_invaders+asterix,switch=5000
live cycle-plain --stream $CYCLE --agent streamq:explore=20000 --steps "$S"
live cycle-cbp --stream $CYCLE --agent streamq:explore=20000,cbp=1e-5 --steps "$S"
# feedback: the user wants the paddle right, then (from step 25000) left; one rating every 250 steps
FB=user:goals=right+left,change=25000,rate_every=250
live feedback-adapted --stream minatar:games=breakout --agent streamq:explore=10000 --feedback $FB --steps 50000
live feedback-first --stream minatar:games=breakout --agent streamq:explore=10000 --feedback $FB,reward=first --steps 50000
wait
