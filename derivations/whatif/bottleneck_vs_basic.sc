# ResNet (He et al., 2016): the bottleneck block (1x1 4C -> C, 3x3 C -> C,
# 1x1 C -> 4C) against the basic block's two 3x3 convolutions C -> C, without
# bias (each convolution is followed by batch norm, not counted here).
#! compare @#bottleneck @#basic

network bottleneck {
    conv2d(C_in=4*C, C_out=C, k=1, bias=false)
    conv2d(C_in=C, C_out=C, k=3, padding=1, bias=false)
    conv2d(C_in=C, C_out=4*C, k=1, bias=false)
}

network basic {
    conv2d(C_in=C, C_out=C, k=3, padding=1, bias=false)
    conv2d(C_in=C, C_out=C, k=3, padding=1, bias=false)
}
