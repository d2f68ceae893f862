# AlexNet (Krizhevsky et al., 2012) in torchvision's single-tower layout
# (torchvision.models.alexnet): 61,100,840 parameters.
# title: AlexNet
block conv_relu(C_out, k, stride=1, padding=0) {
    conv2d(C_out=C_out, k=k, stride=stride, padding=padding); relu()
}

block hidden(C_out) {
    dropout(0.5); linear(C_out=C_out); relu()
}

network alexnet {
    input(H=224, W=224, C=3)
    features: conv_relu(C_out=64, k=11, stride=4, padding=2)    # 64 @ 55x55
    maxpool2d(k=3, stride=2)                                    # 27x27
    conv_relu(C_out=192, k=5, padding=2)
    maxpool2d(k=3, stride=2)                                    # 13x13
    conv_relu(C_out=384, k=3, padding=1)
    conv_relu(C_out=256, k=3, padding=1)
    conv_relu(C_out=256, k=3, padding=1)
    maxpool2d(k=3, stride=2)                                    # 256 @ 6x6
    adaptive_avgpool2d(out=6)
    flatten()                                                   # 9,216 features
    hidden(C_out=4096)
    hidden(C_out=4096)
    classifier: linear(C_out=1000)
}
