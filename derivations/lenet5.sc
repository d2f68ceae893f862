# title: LeNet-5
# LeNet-5 (LeCun et al., 1998) as in most course notes: average pooling, no RBF output.
# How many parameters does each layer have, and the whole network?
network lenet5 {
    input(H=32, W=32, C=1)
    conv2d(C_out=6, k=5)
    avgpool2d(k=2)
    conv2d(C_out=16, k=5)
    avgpool2d(k=2)
    flatten()
    linear(C_out=120)               # C_in inferred: 16*5*5 = 400
    linear(C_out=84)
    linear(C_out=10)
}
