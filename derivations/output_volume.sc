# title: Output volume and parameters
# The input volume is 32 × 32 × 3. A convolutional layer has ten 5 × 5 filters with
# stride 1 and padding 2; a 3 × 3 max pooling with stride 2 follows. What is the
# output volume of each layer, and how many parameters does the convolution have?
network output_volume {
    input(H=32, W=32, C=3)
    conv2d(C_out=10, k=5, stride=1, padding=2)
    maxpool2d(k=3, stride=2)
}
