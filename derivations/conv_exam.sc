# title: The convolution exam question
# A convolutional layer takes an input of size 100 × 100 × 128 and produces an
# output of size 100 × 100 × 256 with a 3 × 3 kernel ("same" padding). How many
# parameters does it have, with and without bias?
# bias: both
network conv_exam {
    input(H=100, W=100, C=128)
    conv2d(C_out=256, k=3, padding="same")      # C_in = 128 comes from the input
}
