# MobileNetV2 (Sandler et al., 2018), width multiplier 1.0, 224x224.
# torchvision (mobilenet_v2): 3,504,872 parameters, 34,112 buffers.
# Keras Applications (MobileNetV2): 3,538,984 = 3,504,872 trainable + 34,112
# non-trainable (its batch-norm moving statistics):  --convention keras
# title: MobileNetV2
block conv_bn_relu6(C_out, k=1, stride=1) {
    conv2d(C_out=C_out, k=k, stride=stride, padding=(k - 1)//2, bias=false); batchnorm(); relu6()
}

block inverted_residual(C_in, C_out, t, stride=1) {   # the paper's "bottleneck"
    if t != 1 { conv_bn_relu6(C_out=t*C_in) }         # 1x1 expansion by t
    depthwise_conv2d(k=3, stride=stride, padding=1, bias=false); batchnorm(); relu6()
    conv2d(C_out=C_out, k=1, bias=false); batchnorm() # linear 1x1 projection
}

block stage(C_in, t, c, n, s) {                        # one row of Table 2
    inverted_residual(C_in=C_in, C_out=c, t=t, stride=s)
    repeat n - 1 { residual { inverted_residual(C_in=c, C_out=c, t=t) } }
}

network mobilenet_v2 {
    input(H=224, W=224, C=3)
    conv_bn_relu6(C_out=32, k=3, stride=2)             # 32 @ 112x112
    #     input  t    c     n    s
    stage(C_in=32,  t=1, c=16,  n=1, s=1)
    stage(C_in=16,  t=6, c=24,  n=2, s=2)              # 56x56
    stage(C_in=24,  t=6, c=32,  n=3, s=2)              # 28x28
    stage(C_in=32,  t=6, c=64,  n=4, s=2)              # 14x14
    stage(C_in=64,  t=6, c=96,  n=3, s=1)
    stage(C_in=96,  t=6, c=160, n=3, s=2)              # 7x7
    stage(C_in=160, t=6, c=320, n=1, s=1)
    conv_bn_relu6(C_out=1280)
    global_avgpool()
    dropout(0.2)
    linear(C_out=1000)
}
