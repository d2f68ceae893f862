# PyTorch's LSTM keeps two bias vectors per gate (b_ih and b_hh), Keras's one:
# the counts differ by 4H per layer and direction.
#! compare @#one_layer @#one_layer --a-convention pytorch --b-convention keras
#! compare @#stacked_bidirectional @#stacked_bidirectional --a-convention pytorch --b-convention keras
#! compare @#one_layer @#one_layer --a-convention pytorch --b-convention keras --set C_in=128 --sweep H=32..512

network one_layer {
    lstm(C_in=C_in, hidden=H)
}

network stacked_bidirectional {
    lstm(C_in=C_in, hidden=H, layers=2, bidirectional=true)
}
