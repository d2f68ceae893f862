# ShuffleNetV2 x1.0 (Ma et al., 2018), 224x224, in torchvision's layout
# (shufflenet_v2_x1_0): 2,278,604 parameters, 16,180 buffers.
# A unit of stride 1 splits the channels in two halves: one passes, the other
# goes through the branch; the halves are concatenated and shuffled.
# title: ShuffleNetV2 x1.0
block conv_bn(C_out, k=1, stride=1) {
    conv2d(C_out=C_out, k=k, stride=stride, padding=(k - 1)//2, bias=false); batchnorm()
}

block dw_bn(stride=1) { depthwise_conv2d(k=3, stride=stride, padding=1, bias=false); batchnorm() }

block branch_layers(C, stride=1) {                    # 1x1, depthwise 3x3, 1x1
    conv_bn(C_out=C); relu()
    dw_bn(stride=stride)
    conv_bn(C_out=C); relu()
}

block unit(C) {                                       # stride 1: C -> C
    parallel {
        branch { channel_split(2) }                   # C/2 pass through
        branch { channel_split(2); branch_layers(C=C//2) }
    }
    channel_shuffle(2)
}

block down_unit(C_out) {                              # stride 2: both halves are computed
    parallel {
        branch { dw_bn(stride=2); conv_bn(C_out=C_out//2); relu() }
        branch { branch_layers(C=C_out//2, stride=2) }
    }
    channel_shuffle(2)
}

block stage(C, n) { down_unit(C_out=C); repeat n - 1 { unit(C=C) } }

network shufflenet_v2 {
    input(H=224, W=224, C=3)
    conv_bn(C_out=24, k=3, stride=2); relu()           # 24 @ 112x112
    maxpool2d(k=3, stride=2, padding=1)               # 56x56
    stage(C=116, n=4)                                 # 28x28
    stage(C=232, n=8)                                 # 14x14
    stage(C=464, n=4)                                 # 7x7
    conv_bn(C_out=1024); relu()
    global_avgpool()
    linear(C_out=1000)
}
