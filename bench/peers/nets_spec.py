"""The network architectures compared across frameworks, stated once.

- "mlp": the 28k-parameter MLP 84-128-128: the (2, 6, 7) board flattened to 84, two
  ReLU layers of 128, a policy head of 7 logits and a tanh value head.
- "resnet": 64 channels x 4 residual blocks: a 3x3 stem conv 2->64, four blocks of two
  3x3 convs with a skip, a policy head (1x1 conv to 2 channels, linear 84->7) and a
  value head (1x1 conv to 1 channel, linear 42->64, linear 64->1, tanh). No batch norm:
  at inference it folds into the convolutions, so the forward cost is the same.

bench/peers/jax_nets.py and bench/peers/torch_nets.py implement both (28,424 and 300,247
parameters in each); every forward row of the benchmark records its parameter count.
"""

ROWS, COLS, PLANES, ACTIONS = 6, 7, 2, 7
MLP_HIDDEN = 128
RES_CHANNELS, RES_BLOCKS = 64, 4
