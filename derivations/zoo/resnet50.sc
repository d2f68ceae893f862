# ResNet-50 (He et al., 2016).  torchvision (resnet50): 25,557,032 parameters,
# 53,120 buffers.  Keras Applications (ResNet50) keeps a bias in every
# convolution before batch norm and counts the moving statistics as parameters:
#     symcount count derivations/zoo/resnet50.sc --set conv_bias=true --convention keras
# gives its 25,636,712 = 25,583,592 trainable + 53,120 non-trainable.
# (torchvision strides the 3x3 convolution, Keras the first 1x1: same parameters,
# different MACs; this file follows torchvision.)  Labels give every tensor
# torchvision's state_dict key (layer1.0.conv3.weight, layer1.0.downsample.1.running_var).
# title: ResNet-50
block projection(C_out, stride=1, bias=false) {  # torchvision's downsample: nn.Sequential(conv1x1, bn)
    0: conv2d(C_out=C_out, k=1, stride=stride, bias=bias)
    1: batchnorm()
}

block bottleneck(C, stride=1, project=false, bias=false) {
    residual {                                   # 1x1 reduce, 3x3, 1x1 expand to 4C
        conv1: conv2d(C_out=C, k=1, bias=bias); bn1: batchnorm(); relu()
        conv2: conv2d(C_out=C, k=3, stride=stride, padding="same", bias=bias); bn2: batchnorm(); relu()
        conv3: conv2d(C_out=4*C, k=1, bias=bias); bn3: batchnorm()
    } shortcut {
        if project { downsample: projection(C_out=4*C, stride=stride, bias=bias) }
    }
    relu()
}

block stage(C, n, stride=1, bias=false) {        # the first block of a stage projects
    bottleneck(C=C, stride=stride, project=true, bias=bias)
    repeat n - 1 { bottleneck(C=C, bias=bias) }
}

network resnet50(conv_bias=false) {
    input(H=224, W=224, C=3)
    conv1: conv2d(C_out=64, k=7, stride=2, padding="same", bias=conv_bias)
    bn1: batchnorm(); relu()
    maxpool: maxpool2d(k=3, stride=2, padding=1) # 64 @ 56x56
    layer1: stage(C=64, n=3, bias=conv_bias)     # 256 @ 56x56
    layer2: stage(C=128, n=4, stride=2, bias=conv_bias)
    layer3: stage(C=256, n=6, stride=2, bias=conv_bias)
    layer4: stage(C=512, n=3, stride=2, bias=conv_bias)   # 2048 @ 7x7
    avgpool: adaptive_avgpool2d(out=1)
    flatten()
    fc: linear(C_out=1000)
}
