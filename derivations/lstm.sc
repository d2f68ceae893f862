# title: An LSTM in PyTorch and in Keras
# An LSTM with 256 hidden units reads sequences of 128-dimensional vectors. How many
# parameters does it have in PyTorch, and in Keras? PyTorch keeps two bias vectors
# per gate (bias_ih and bias_hh), Keras one, so the counts differ by 4H = 1,024.
# convention: both
lstm(C_in=128, hidden=256)
