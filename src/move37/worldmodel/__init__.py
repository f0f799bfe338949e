"""Planning with a learned world model: MuZero on the project's own batched search, trained with a
JEPA-style latent prediction loss (EfficientZero's consistency), on board games and on environments
with rewards (move37.envs).

Modules, each one idea: nets.py (representation, dynamics, prediction), model.py (the nets as the
search's evaluator), store.py (latent states for move37.search), replay.py (episodes, n-step targets),
learner.py (the losses, the target encoder), play.py (self-play, evaluation, reanalyse), config.py,
checkpoint.py, train.py (the run loop), report.py (plots).
"""
