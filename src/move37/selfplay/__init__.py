"""Self-play: many games at once, one batched evaluation per search step."""

from move37.selfplay.play import GameRecord, SelfPlayConfig, play_games

__all__ = ["GameRecord", "SelfPlayConfig", "play_games"]
