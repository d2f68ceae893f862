# title: The dense layer question
# A fully connected (dense) layer maps 128 input features to 256 output features.
# How many parameters does it have, with and without bias?
# bias: both
linear(C_in=128, C_out=256)
