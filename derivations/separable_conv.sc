# title: Depthwise-separable convolution
# Compare a 3 × 3 convolution from 32 to 64 channels with its depthwise-separable
# version (Keras SeparableConv2D): one 3 × 3 filter per input channel, then a
# 1 × 1 convolution that mixes the channels.
separable_conv2d(C_in=32, C_out=64, k=3)
conv2d(C_in=32, C_out=64, k=3)
