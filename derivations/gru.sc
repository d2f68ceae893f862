# title: A GRU in PyTorch and in Keras
# A GRU with 128 hidden units reads 64-dimensional inputs. PyTorch keeps two bias
# vectors per gate; so does Keras with reset_after=True (its default since 2.x),
# so the two agree. With reset_after=False Keras keeps one bias vector per gate.
# convention: both
gru(C_in=64, hidden=128)
gru(C_in=64, hidden=128, reset_after=false)
