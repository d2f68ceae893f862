# title: A symbolic answer
# A 3 × 3 convolution doubles the number of channels, from C to 2C. How many
# parameters does it have, as a function of C?
conv2d(C_in=C, C_out=2*C, k=3)
