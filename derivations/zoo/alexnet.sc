# AlexNet (Krizhevsky et al., 2012) in torchvision's single-tower layout
# (torchvision.models.alexnet): 61,100,840 parameters.  The layers are numbered as
# torchvision's nn.Sequential numbers them, so every tensor has its state_dict key
# (features.10.weight, classifier.6.bias).
# title: AlexNet
block alexnet_features() {                 # five convolutions, three max pools
    0: conv2d(C_out=64, k=11, stride=4, padding=2); 1: relu()   # 64 @ 55x55
    2: maxpool2d(k=3, stride=2)                                 # 27x27
    3: conv2d(C_out=192, k=5, padding=2); 4: relu()
    5: maxpool2d(k=3, stride=2)                                 # 13x13
    6: conv2d(C_out=384, k=3, padding=1); 7: relu()
    8: conv2d(C_out=256, k=3, padding=1); 9: relu()
    10: conv2d(C_out=256, k=3, padding=1); 11: relu()
    12: maxpool2d(k=3, stride=2)                                # 256 @ 6x6
}

block alexnet_classifier() {               # three fully connected layers, dropout before the first two
    0: dropout(0.5); 1: linear(C_out=4096); 2: relu()
    3: dropout(0.5); 4: linear(C_out=4096); 5: relu()
    6: linear(C_out=1000)
}

network alexnet {
    input(H=224, W=224, C=3)
    features: alexnet_features()
    avgpool: adaptive_avgpool2d(out=6)
    flatten()                                                   # 9,216 features
    classifier: alexnet_classifier()
}
