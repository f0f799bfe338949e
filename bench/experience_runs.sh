#!/bin/sh
# The live runs behind docs/results/experience.md, each in runs/experience/NAME, ONE AT A TIME (a second run beside
# the first only halves both on a small machine). Resumable: run the script again to continue them.
# MINUTES caps each run's session; STEPS is each baseline, curve and cycle run's total.
# Usage: [ONLY=baselines|cycle|curves|feedback|NAME] sh bench/experience_runs.sh [MINUTES] [STEPS]
M=${1:-60}
S=${2:-1000000}
PY=${PYTHON:-python}
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ] || [ "$ONLY" = "$2" ]; }
live() { group=$1; name=$2; shift 2
    want "$group" "$name" || return 0
    nice -n 10 $PY -m move37.cli live --out runs/experience/$name "$@" --minutes "$M" --quiet \
        > runs/experience/$name.log 2>&1; }
mkdir -p runs/experience
# stream Q beside the replay DQN on one game each (epsilon 1 -> 0.01 over 50k steps for both)
live baselines freeway-streamq --stream minatar:games=freeway --agent streamq:explore=50000 --steps "$S"
live baselines breakout-streamq --stream minatar:games=breakout --agent streamq:explore=50000 --steps "$S"
live baselines freeway-dqn --stream minatar:games=freeway --agent dqn:explore=50000 --steps "$S"
live baselines breakout-dqn --stream minatar:games=breakout --agent dqn:explore=50000 --steps "$S"
# stream actor-critic on the same game
live curves breakout-streamac --stream minatar:games=breakout --agent streamac --steps "$S"
# plasticity: four games in a fixed cycle, 1000 steps a visit; plain beside the remedies
CYCLE=minatar:games=breakout+space_invaders+asterix+seaquest,switch=1000
live cycle cycle-plain --stream $CYCLE --agent streamq:explore=5000 --steps "$S"
live cycle cycle-cbp --stream $CYCLE --agent streamq:explore=5000,cbp=1e-4 --steps "$S"
live cycle cycle-shrink --stream $CYCLE --agent streamq:explore=5000,shrink=0.99999,perturb=1e-4 --steps "$S"
live cycle cycle-l2init --stream $CYCLE --agent streamq:explore=5000,l2init=1e-5 --steps "$S"
# feedback: the user wants the paddle right, then (from step 10000) left; a rating every 100 steps
FB=user:goals=right+left,change=10000,rate_every=100
live feedback feedback-adapted --stream minatar:games=breakout --agent streamq:explore=5000 --feedback $FB --steps 20000
live feedback feedback-first --stream minatar:games=breakout --agent streamq:explore=5000 --feedback $FB,reward=first \
    --steps 20000
