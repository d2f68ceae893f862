# ConvNeXt-T (Liu et al., 2022), 224x224, as Keras Applications builds it
# (ConvNeXtTiny, weights=None):  --convention keras
# 28,589,128 parameters, all trainable. The input Normalization is given its
# mean and variance, so it has no weights; each block ends in a layer scale,
# one learned gamma per channel.
# title: ConvNeXt-T
block convnext_block(C) {
    residual {
        depthwise_conv2d(k=7, padding="same")         # 7*7*C + C
        layernorm()
        linear(C_out=4*C); gelu(); linear(C_out=C)    # the inverted bottleneck, per position
        layer_scale()                                 # gamma: C
    }
}

block downsample(C_out) { layernorm(); conv2d(C_out=C_out, k=2, stride=2) }

network convnext_tiny {
    input(H=224, W=224, C=3)
    normalization(mean=(123.675, 116.28, 103.53), variance=(3409.976, 3262.693, 3291.890))
    stem: conv2d(C_out=96, k=4, stride=4); layernorm()        # 96 @ 56x56
    stage1: repeat 3 { convnext_block(C=96) }
    downsample(C_out=192); stage2: repeat 3 { convnext_block(C=192) }   # 28x28
    downsample(C_out=384); stage3: repeat 9 { convnext_block(C=384) }   # 14x14
    downsample(C_out=768); stage4: repeat 3 { convnext_block(C=768) }   # 7x7
    global_avgpool()
    layernorm()
    head: linear(C_out=1000)
}
