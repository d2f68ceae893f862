# VGG-16, configuration D of Simonyan & Zisserman (2015): 13 convolutions in five
# stages, three fully connected layers.  138,357,544 parameters, the same in
# torchvision (vgg16) and Keras Applications (VGG16).
# title: VGG-16
block stage(C, n) {                        # n 3x3 convolutions, then halve the size
    repeat n { conv2d(C_out=C, k=3, padding=1); relu() }
    maxpool2d(k=2)
}

block hidden(C_out) {
    linear(C_out=C_out); relu(); dropout(0.5)
}

network vgg16 {
    input(H=224, W=224, C=3)
    stage(C=64, n=2)                       # 112x112
    stage(C=128, n=2)                      # 56x56
    stage(C=256, n=3)                      # 28x28
    stage(C=512, n=3)                      # 14x14
    stage(C=512, n=3)                      # 512 @ 7x7
    adaptive_avgpool2d(out=7)              # torchvision's; a no-op at 224x224
    flatten()                              # 25,088 features
    hidden(C_out=4096)
    hidden(C_out=4096)
    linear(C_out=1000)
}
