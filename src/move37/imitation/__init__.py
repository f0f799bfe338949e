"""Learning from an expert's games (AlphaGo's first stage): game records in SGF, PGN and move37's JSONL
(records.py), and a supervised policy-value network trained to predict the recorded moves (supervised.py).
The demonstrators that make records here are agents (`humanlike`, `gtp:gnugo`, `uci:stockfish`) played by
`move37 demonstrate`."""

from move37.imitation.records import Demonstration, read_demonstrations, split_games
from move37.imitation.supervised import POLICY_FILE, ImitationConfig, imitation_config, policy_accuracy, train_imitation

__all__ = ["Demonstration", "ImitationConfig", "POLICY_FILE", "imitation_config", "policy_accuracy", "read_demonstrations",
           "split_games", "train_imitation"]
