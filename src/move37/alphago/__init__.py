"""The AlphaGo path (Silver et al., 2016): a supervised policy from expert games (move37.imitation), an RL
policy by policy-gradient self-play against a pool of its earlier versions, a value network on positions of
RL self-play, and PUCT search with the supervised prior and the value network (`alphago:RUN`); and the
move-37 finder (surprises.py): moves a search plays that the imitation policy would almost never play."""

from move37.alphago.config import AlphaGoConfig, RLConfig, ValueConfig, alphago_config
from move37.alphago.pipeline import STAGES, run_pipeline

__all__ = ["AlphaGoConfig", "RLConfig", "STAGES", "ValueConfig", "alphago_config", "run_pipeline"]
