# MobileNetV3-Small (Howard et al., 2019), width 1.0, 224x224, as Keras
# Applications builds it (MobileNetV3Small, weights=None):  --convention keras
# 2,554,968 = 2,542,856 trainable + 12,112 non-trainable (the batch-norm moving
# statistics). Squeeze-and-excitation multiplies the feature map by a (1, 1, C)
# gate: a parallel merged by "mul", broadcasting as Keras does.
# title: MobileNetV3-Small
block squeeze_excite(C) {
    let C_se = max(8, (C//4 + 4)//8*8)                # Keras's _depth(C/4): a multiple of 8
    se: parallel(merge="mul") {
        branch { }
        branch {
            global_avgpool(keepdims=true)             # (1, 1, C)
            conv2d(C_out=C_se, k=1); relu()
            conv2d(C_out=C, k=1); hardsigmoid()
        }
    }
}

block act(hs) { if hs { hardswish() } else { relu() } }

# one row of Table 2: the expanded width, the output, kernel, stride, SE, h-swish
block bneck(C_in, C_exp, C_out, k, s, se, hs) {
    if C_exp != C_in { conv2d(C_out=C_exp, k=1, bias=false); batchnorm(); act(hs=hs) }
    if s == 2 {
        zero_pad2d(p=((k//2 - 1, k//2), (k//2 - 1, k//2)))   # Keras's correct_pad on an even size
        depthwise_conv2d(k=k, stride=2, bias=false)
    } else {
        depthwise_conv2d(k=k, padding="same", bias=false)
    }
    batchnorm(); act(hs=hs)
    if se { squeeze_excite(C=C_exp) }
    conv2d(C_out=C_out, k=1, bias=false); batchnorm()
}

block res_bneck(C, C_exp, k, se, hs) {                # stride 1, same width: a residual
    residual { bneck(C_in=C, C_exp=C_exp, C_out=C, k=k, s=1, se=se, hs=hs) }
}

network mobilenet_v3_small {
    input(H=224, W=224, C=3)
    rescaling(scale=1/127.5, offset=-1)
    conv2d(C_out=16, k=3, stride=2, padding="same", bias=false); batchnorm(); hardswish()
    bneck(C_in=16, C_exp=16,  C_out=16, k=3, s=2, se=true,  hs=false)   # 56x56
    bneck(C_in=16, C_exp=72,  C_out=24, k=3, s=2, se=false, hs=false)   # 28x28
    res_bneck(C=24, C_exp=88, k=3, se=false, hs=false)
    bneck(C_in=24, C_exp=96,  C_out=40, k=5, s=2, se=true,  hs=true)    # 14x14
    repeat 2 { res_bneck(C=40, C_exp=240, k=5, se=true, hs=true) }
    bneck(C_in=40, C_exp=120, C_out=48, k=5, s=1, se=true,  hs=true)
    res_bneck(C=48, C_exp=144, k=5, se=true, hs=true)
    bneck(C_in=48, C_exp=288, C_out=96, k=5, s=2, se=true,  hs=true)    # 7x7
    repeat 2 { res_bneck(C=96, C_exp=576, k=5, se=true, hs=true) }
    conv2d(C_out=576, k=1, bias=false); batchnorm(); hardswish()
    global_avgpool(keepdims=true)
    conv2d(C_out=1024, k=1); hardswish()
    dropout(0.2)
    conv2d(C_out=1000, k=1)
    flatten()
    softmax()
}
