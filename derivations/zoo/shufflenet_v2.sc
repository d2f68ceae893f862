# ShuffleNetV2 x1.0 (Ma et al., 2018), 224x224, in torchvision's layout
# (shufflenet_v2_x1_0): 2,278,604 parameters, 16,180 buffers.
# A unit of stride 1 splits the channels in two halves: one passes, the other
# goes through the branch; the halves are concatenated and shuffled.
# Labelled as torchvision names its modules, so every tensor has its state_dict key
# (stage2.0.branch1.2.weight, stage3.1.branch2.4.running_var, conv5.1.bias).
# title: ShuffleNetV2 x1.0
block conv_bn_relu(C_out, k=1, stride=1) {
    0: conv2d(C_out=C_out, k=k, stride=stride, padding=(k - 1)//2, bias=false); 1: batchnorm(); 2: relu()
}

block branch1_layers(C) {                             # stride 2: depthwise 3x3, 1x1
    0: depthwise_conv2d(k=3, stride=2, padding=1, bias=false); 1: batchnorm()
    2: conv2d(C_out=C, k=1, bias=false); 3: batchnorm(); 4: relu()
}

block branch2_layers(C, stride=1) {                   # 1x1, depthwise 3x3, 1x1
    0: conv2d(C_out=C, k=1, bias=false); 1: batchnorm(); 2: relu()
    3: depthwise_conv2d(k=3, stride=stride, padding=1, bias=false); 4: batchnorm()
    5: conv2d(C_out=C, k=1, bias=false); 6: batchnorm(); 7: relu()
}

block unit(C) {                                       # stride 1: C -> C
    parallel {
        branch { channel_split(2) }                   # C/2 pass through
        branch { channel_split(2); branch2: branch2_layers(C=C//2) }
    }
    channel_shuffle(2)
}

block down_unit(C_out) {                              # stride 2: both halves are computed
    parallel {
        branch { branch1: branch1_layers(C=C_out//2) }
        branch { branch2: branch2_layers(C=C_out//2, stride=2) }
    }
    channel_shuffle(2)
}

block stage(C, n) { down_unit(C_out=C); repeat n - 1 { unit(C=C) } }

network shufflenet_v2 {
    input(H=224, W=224, C=3)
    conv1: conv_bn_relu(C_out=24, k=3, stride=2)      # 24 @ 112x112
    maxpool: maxpool2d(k=3, stride=2, padding=1)      # 56x56
    stage2: stage(C=116, n=4)                         # 28x28
    stage3: stage(C=232, n=8)                         # 14x14
    stage4: stage(C=464, n=4)                         # 7x7
    conv5: conv_bn_relu(C_out=1024)
    global_avgpool()                                  # torchvision's x.mean([2, 3])
    fc: linear(C_out=1000)
}
