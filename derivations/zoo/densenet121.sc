# DenseNet-121 (Huang et al., 2017), torchvision (densenet121): 7,978,856 parameters,
# 83,648 buffers.  Keras Applications (DenseNet121): 8,062,504 = 7,978,856
# trainable + 83,648 non-trainable (its batch-norm moving statistics).
# Every layer's output is concatenated to its input: a parallel with an empty branch.
# Labelled as torchvision names its modules, so every tensor has its state_dict key
# (features.denseblock3.denselayer24.conv2.weight, features.transition1.norm.running_var).
# title: DenseNet-121
block dense_layer(growth=32, bn_size=4) {        # adds growth channels
    parallel {
        branch { }
        branch {                                 # pre-activation 1x1 bottleneck, then 3x3
            norm1: batchnorm(); relu1: relu(); conv1: conv2d(C_out=bn_size*growth, k=1, bias=false)
            norm2: batchnorm(); relu2: relu(); conv2: conv2d(C_out=growth, k=3, padding=1, bias=false)
        }
    }
}

block dense_block6() {                  # 6 dense layers, 6 x 32 channels added
    denselayer1: dense_layer(); denselayer2: dense_layer(); denselayer3: dense_layer(); denselayer4: dense_layer()
    denselayer5: dense_layer(); denselayer6: dense_layer()
}

block dense_block12() {                  # 12 dense layers, 12 x 32 channels added
    denselayer1: dense_layer(); denselayer2: dense_layer(); denselayer3: dense_layer(); denselayer4: dense_layer()
    denselayer5: dense_layer(); denselayer6: dense_layer(); denselayer7: dense_layer(); denselayer8: dense_layer()
    denselayer9: dense_layer(); denselayer10: dense_layer(); denselayer11: dense_layer(); denselayer12: dense_layer()
}

block dense_block24() {                  # 24 dense layers, 24 x 32 channels added
    denselayer1: dense_layer(); denselayer2: dense_layer(); denselayer3: dense_layer(); denselayer4: dense_layer()
    denselayer5: dense_layer(); denselayer6: dense_layer(); denselayer7: dense_layer(); denselayer8: dense_layer()
    denselayer9: dense_layer(); denselayer10: dense_layer(); denselayer11: dense_layer(); denselayer12: dense_layer()
    denselayer13: dense_layer(); denselayer14: dense_layer(); denselayer15: dense_layer(); denselayer16: dense_layer()
    denselayer17: dense_layer(); denselayer18: dense_layer(); denselayer19: dense_layer(); denselayer20: dense_layer()
    denselayer21: dense_layer(); denselayer22: dense_layer(); denselayer23: dense_layer(); denselayer24: dense_layer()
}

block dense_block16() {                  # 16 dense layers, 16 x 32 channels added
    denselayer1: dense_layer(); denselayer2: dense_layer(); denselayer3: dense_layer(); denselayer4: dense_layer()
    denselayer5: dense_layer(); denselayer6: dense_layer(); denselayer7: dense_layer(); denselayer8: dense_layer()
    denselayer9: dense_layer(); denselayer10: dense_layer(); denselayer11: dense_layer(); denselayer12: dense_layer()
    denselayer13: dense_layer(); denselayer14: dense_layer(); denselayer15: dense_layer(); denselayer16: dense_layer()
}

block transition(C_out) {                        # compression 0.5
    norm: batchnorm(); relu: relu(); conv: conv2d(C_out=C_out, k=1, bias=false); pool: avgpool2d(k=2)
}

block densenet_features() {
    conv0: conv2d(C_out=64, k=7, stride=2, padding=3, bias=false); norm0: batchnorm(); relu0: relu()
    pool0: maxpool2d(k=3, stride=2, padding=1)                          # 64 @ 56x56
    denseblock1: dense_block6();  transition1: transition(C_out=128)    # 256 -> 128 @ 28x28
    denseblock2: dense_block12(); transition2: transition(C_out=256)    # 512 -> 256 @ 14x14
    denseblock3: dense_block24(); transition3: transition(C_out=512)    # 1024 -> 512 @ 7x7
    denseblock4: dense_block16()                                        # 1024 @ 7x7
    norm5: batchnorm()
}

network densenet121 {
    input(H=224, W=224, C=3)
    features: densenet_features()
    relu()                                       # torchvision's functional relu, pooling and flatten
    adaptive_avgpool2d(out=1); flatten()
    classifier: linear(C_out=1000)
}
