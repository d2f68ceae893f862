# title: AlexNet's first convolutional layer
# AlexNet (Krizhevsky et al., 2012) starts with 96 filters of size 11 × 11 and stride 4
# on a 227 × 227 × 3 image, giving a 55 × 55 × 96 output. How many parameters does
# this first layer have?
network alexnet_conv1 {
    input(H=227, W=227, C=3)
    conv2d(C_out=96, k=11, stride=4)
    relu()
}
