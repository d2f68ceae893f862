# title: A VGG block
# The first block of VGG-16: two 3 × 3 convolutions with 64 filters and padding 1,
# each followed by ReLU, then 2 × 2 max pooling, on a 224 × 224 × 3 image. How many
# parameters does the block have, layer by layer?
block vgg_block(C, n) {
    repeat n { conv2d(C_out=C, k=3, padding=1); relu() }
    maxpool2d(k=2)
}

network vgg_block1 {
    input(H=224, W=224, C=3)
    vgg_block(C=64, n=2)
}
