# title: Batch normalisation: trainable and non-trainable
# A batch-normalisation layer follows a convolution with 256 output channels.
# How many of its numbers are learned, and how many are running statistics?
# PyTorch keeps the running mean and variance as buffers (not parameters);
# Keras counts them as non-trainable parameters.
# convention: both
network conv_bn {
    input(H=32, W=32, C=128)
    conv2d(C_out=256, k=3, padding="same", bias=false)   # the batch norm's shift replaces the bias
    batchnorm()
}
