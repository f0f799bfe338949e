"""The era of experience: one agent on one never-ending stream, learning from every step.

    from move37.experience import LiveConfig, live, make_learner, make_stream
    summary = live("runs/exp", LiveConfig(stream="minatar:games=breakout+freeway,switch=50000", agent="streamq"),
                   steps=200_000)

Modules: streams.py (MinAtar switches and drifts), connect4_stream.py (a drifting opponent population),
learners.py (the Learner protocol and registry), stream_q.py and stream_ac.py (Elsayed et al. 2024),
dqn.py (the replay baseline), obgd.py, normalise.py, nets.py, plasticity.py (measures and remedies),
feedback.py (a reward learnt from a simulated user's ratings), live.py (the resumable run), plots.py.
"""

from move37.experience.learners import Learner, make_learner
from move37.experience.live import LiveConfig, live
from move37.experience.streams import Stream, make_stream

__all__ = ["Learner", "LiveConfig", "Stream", "live", "make_learner", "make_stream"]
