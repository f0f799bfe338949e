"""The Othello 6x6 training preset is looked up by the spec given to `move37 train`: 6x6 only."""

from move37.train.config import ZeroConfig, from_dict


def test_the_preset_applies_to_6x6_and_not_8x8():
    six = from_dict({}, "othello:size=6")
    assert six.net.kind == "resnet" and (six.net.channels, six.net.blocks) == (32, 3)
    assert six.selfplay.random_opening > 0 and six.learn.search_value_weight > 0
    assert six.eval.every == 0  # no solver labels: random 6x6 positions are too costly to solve
    assert from_dict({}, "othello").to_dict() == ZeroConfig().to_dict()
    assert from_dict({"selfplay": {"sims": 8}}, "othello:size=6").selfplay.random_opening == six.selfplay.random_opening
