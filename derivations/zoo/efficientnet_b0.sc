# EfficientNet-B0 (Tan and Le, 2019), 224x224, as Keras Applications builds it
# (EfficientNetB0, weights=None):  --convention keras
# 5,330,571 = 5,288,548 trainable + 42,023 non-trainable (the batch-norm moving
# statistics, and the input Normalization's mean, variance and count: 3 + 3 + 1).
# Squeeze-and-excitation is a parallel merged by multiplying: the (1, 1, C) gate
# broadcasts over the (H, W, C) feature map.
# title: EfficientNet-B0
block conv_bn(C_out, k=1, stride=1) {
    conv2d(C_out=C_out, k=k, stride=stride, padding="same", bias=false); batchnorm()
}

block squeeze_excite(C, C_se) {                       # C_se = C_in/4 of the block
    se: parallel(merge="mul") {
        branch { }
        branch {
            global_avgpool(); reshape((1, 1, C))
            conv2d(C_out=C_se, k=1); silu()            # reduce, with bias
            conv2d(C_out=C, k=1); sigmoid()            # expand, with bias
        }
    }
}

block mbconv(C_in, C_out, t, k, stride=1) {           # the paper's MBConv, SE ratio 0.25
    if t != 1 { conv_bn(C_out=t*C_in); silu() }       # 1x1 expansion by t
    if stride == 2 {
        zero_pad2d(p=((k//2 - 1, k//2), (k//2 - 1, k//2)))   # Keras's correct_pad on an even size
        depthwise_conv2d(k=k, stride=2, bias=false)
    } else {
        depthwise_conv2d(k=k, padding="same", bias=false)
    }
    batchnorm(); silu()
    squeeze_excite(C=t*C_in, C_se=max(1, C_in//4))
    conv_bn(C_out=C_out)                              # linear 1x1 projection
}

block stage(C_in, t, k, c, n, s) {                    # one row of Table 1
    mbconv(C_in=C_in, C_out=c, t=t, k=k, stride=s)
    repeat n - 1 { residual { mbconv(C_in=c, C_out=c, t=t, k=k) } }
}

network efficientnet_b0 {
    input(H=224, W=224, C=3)
    rescaling(1/255)
    normalization()                                   # adapted mean, variance, count: 2*3 + 1
    zero_pad2d(p=((0, 1), (0, 1)))
    conv2d(C_out=32, k=3, stride=2, bias=false); batchnorm(); silu()   # 32 @ 112x112
    #     input   t    k    c    n    s
    stage(C_in=32,  t=1, k=3, c=16,  n=1, s=1)
    stage(C_in=16,  t=6, k=3, c=24,  n=2, s=2)        # 56x56
    stage(C_in=24,  t=6, k=5, c=40,  n=2, s=2)        # 28x28
    stage(C_in=40,  t=6, k=3, c=80,  n=3, s=2)        # 14x14
    stage(C_in=80,  t=6, k=5, c=112, n=3, s=1)
    stage(C_in=112, t=6, k=5, c=192, n=4, s=2)        # 7x7
    stage(C_in=192, t=6, k=3, c=320, n=1, s=1)
    conv_bn(C_out=1280); silu()
    global_avgpool()
    dropout(0.2)
    linear(C_out=1000)
}
