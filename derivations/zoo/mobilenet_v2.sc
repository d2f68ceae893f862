# MobileNetV2 (Sandler et al., 2018), width multiplier 1.0, 224x224.
# torchvision (mobilenet_v2): 3,504,872 parameters, 34,112 buffers.
# Keras Applications (MobileNetV2): 3,538,984 = 3,504,872 trainable + 34,112
# non-trainable (its batch-norm moving statistics):  --convention keras
# The layers are numbered as torchvision's nn.Sequential numbers them, so every
# tensor has its state_dict key (features.2.conv.1.0.weight, classifier.1.bias).
# title: MobileNetV2
block conv_bn_relu6(C_out, k=1, stride=1) {          # torchvision's Conv2dNormActivation
    0: conv2d(C_out=C_out, k=k, stride=stride, padding=(k - 1)//2, bias=false); 1: batchnorm(); 2: relu6()
}

block dw_bn_relu6(stride=1) {                         # the same, depthwise 3x3
    0: depthwise_conv2d(k=3, stride=stride, padding=1, bias=false); 1: batchnorm(); 2: relu6()
}

block inverted_layers(C_in, C_out, t, stride=1) {     # the paper's "bottleneck"
    if t != 1 {
        0: conv_bn_relu6(C_out=t*C_in)                # 1x1 expansion by t
        1: dw_bn_relu6(stride=stride)
        2: conv2d(C_out=C_out, k=1, bias=false); 3: batchnorm()   # linear 1x1 projection
    } else {
        0: dw_bn_relu6(stride=stride)
        1: conv2d(C_out=C_out, k=1, bias=false); 2: batchnorm()
    }
}

block inverted_residual(C_in, C_out, t, stride=1) {   # an identity shortcut when the shape is kept
    if stride == 1 and C_in == C_out { residual { conv: inverted_layers(C_in=C_in, C_out=C_out, t=t) } }
    else { conv: inverted_layers(C_in=C_in, C_out=C_out, t=t, stride=stride) }
}

block mobilenet_features() {
    0: conv_bn_relu6(C_out=32, k=3, stride=2)         # 32 @ 112x112
    # the paper's Table 2, one row (t, c, n, s) after another
    1: inverted_residual(C_in=32, C_out=16, t=1)                   # t=1, c=16,  n=1, s=1
    2: inverted_residual(C_in=16, C_out=24, t=6, stride=2)         # t=6, c=24,  n=2, s=2: 56x56
    3: inverted_residual(C_in=24, C_out=24, t=6)
    4: inverted_residual(C_in=24, C_out=32, t=6, stride=2)         # t=6, c=32,  n=3, s=2: 28x28
    5: inverted_residual(C_in=32, C_out=32, t=6)
    6: inverted_residual(C_in=32, C_out=32, t=6)
    7: inverted_residual(C_in=32, C_out=64, t=6, stride=2)         # t=6, c=64,  n=4, s=2: 14x14
    8: inverted_residual(C_in=64, C_out=64, t=6)
    9: inverted_residual(C_in=64, C_out=64, t=6)
    10: inverted_residual(C_in=64, C_out=64, t=6)
    11: inverted_residual(C_in=64, C_out=96, t=6)                  # t=6, c=96,  n=3, s=1
    12: inverted_residual(C_in=96, C_out=96, t=6)
    13: inverted_residual(C_in=96, C_out=96, t=6)
    14: inverted_residual(C_in=96, C_out=160, t=6, stride=2)       # t=6, c=160, n=3, s=2: 7x7
    15: inverted_residual(C_in=160, C_out=160, t=6)
    16: inverted_residual(C_in=160, C_out=160, t=6)
    17: inverted_residual(C_in=160, C_out=320, t=6)                # t=6, c=320, n=1, s=1
    18: conv_bn_relu6(C_out=1280)
}

block mobilenet_classifier() { 0: dropout(0.2); 1: linear(C_out=1000) }

network mobilenet_v2 {
    input(H=224, W=224, C=3)
    features: mobilenet_features()
    global_avgpool()                                  # torchvision's functional adaptive_avg_pool2d
    classifier: mobilenet_classifier()
}
