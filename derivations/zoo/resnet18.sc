# ResNet-18 (He et al., 2016) in torchvision's layout (torchvision.models.resnet18):
# 11,689,512 parameters and 9,600 batch-norm buffers.
# Labels give every tensor torchvision's state_dict key (layer2.0.downsample.1.running_mean).
# title: ResNet-18
block projection(C_out, stride) {                # torchvision's downsample: nn.Sequential(conv1x1, bn)
    0: conv2d(C_out=C_out, k=1, stride=stride, bias=false)
    1: batchnorm()
}

block basic(C, stride=1, project=false) {        # two 3x3 convolutions around an identity
    residual {
        conv1: conv2d(C_out=C, k=3, stride=stride, padding=1, bias=false)
        bn1: batchnorm(); relu()
        conv2: conv2d(C_out=C, k=3, padding=1, bias=false)
        bn2: batchnorm()
    } shortcut {
        if project { downsample: projection(C_out=C, stride=stride) }
    }
    relu()
}

block stage(C, n, stride=1) {                    # the first block of a stage may stride and project
    basic(C=C, stride=stride, project=stride != 1)
    repeat n - 1 { basic(C=C) }
}

network resnet18 {
    input(H=224, W=224, C=3)
    conv1: conv2d(C_out=64, k=7, stride=2, padding=3, bias=false)
    bn1: batchnorm(); relu()
    maxpool: maxpool2d(k=3, stride=2, padding=1)  # 64 @ 56x56
    layer1: stage(C=64, n=2)
    layer2: stage(C=128, n=2, stride=2)          # 28x28
    layer3: stage(C=256, n=2, stride=2)          # 14x14
    layer4: stage(C=512, n=2, stride=2)          # 512 @ 7x7
    avgpool: adaptive_avgpool2d(out=1)
    flatten()
    fc: linear(C_out=1000)
}
