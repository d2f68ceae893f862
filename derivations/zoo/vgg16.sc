# VGG-16, configuration D of Simonyan & Zisserman (2015): 13 convolutions in five
# stages, three fully connected layers.  138,357,544 parameters, the same in
# torchvision (vgg16) and Keras Applications (VGG16).  The layers are numbered as
# torchvision's nn.Sequential numbers them, so every tensor has its state_dict key
# (features.28.weight, classifier.6.bias).
# title: VGG-16
block vgg_features() {                     # five stages: n 3x3 convolutions, then halve the size
    0: conv2d(C_out=64, k=3, padding=1); 1: relu()
    2: conv2d(C_out=64, k=3, padding=1); 3: relu()
    4: maxpool2d(k=2)                      # 64 @ 112x112
    5: conv2d(C_out=128, k=3, padding=1); 6: relu()
    7: conv2d(C_out=128, k=3, padding=1); 8: relu()
    9: maxpool2d(k=2)                      # 128 @ 56x56
    10: conv2d(C_out=256, k=3, padding=1); 11: relu()
    12: conv2d(C_out=256, k=3, padding=1); 13: relu()
    14: conv2d(C_out=256, k=3, padding=1); 15: relu()
    16: maxpool2d(k=2)                     # 256 @ 28x28
    17: conv2d(C_out=512, k=3, padding=1); 18: relu()
    19: conv2d(C_out=512, k=3, padding=1); 20: relu()
    21: conv2d(C_out=512, k=3, padding=1); 22: relu()
    23: maxpool2d(k=2)                     # 512 @ 14x14
    24: conv2d(C_out=512, k=3, padding=1); 25: relu()
    26: conv2d(C_out=512, k=3, padding=1); 27: relu()
    28: conv2d(C_out=512, k=3, padding=1); 29: relu()
    30: maxpool2d(k=2)                     # 512 @ 7x7
}

block vgg_classifier() {                   # three fully connected layers
    0: linear(C_out=4096); 1: relu(); 2: dropout(0.5)
    3: linear(C_out=4096); 4: relu(); 5: dropout(0.5)
    6: linear(C_out=1000)
}

network vgg16 {
    input(H=224, W=224, C=3)
    features: vgg_features()
    avgpool: adaptive_avgpool2d(out=7)     # torchvision's; a no-op at 224x224
    flatten()                              # 25,088 features
    classifier: vgg_classifier()
}
