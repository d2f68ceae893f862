# One SE-ResNet-50 bottleneck (Hu et al., 2018): the first block of the conv2
# stage, 64 -> 256 channels at 56x56, with a projected shortcut. Its
# squeeze-and-excitation (reduction r = 16) gates the residual branch before the
# add: global pooling to (C, 1, 1), two 1x1 convolutions with biases, a sigmoid,
# and a multiply that broadcasts the gate over the (C, H, W) map.
# 83,472 parameters (75,008 of ResNet-50's block + 8,464 of SE), 1,280 buffers.
# title: An SE-ResNet-50 bottleneck
block conv_bn(C_out, k=1, stride=1) {
    conv2d(C_out=C_out, k=k, stride=stride, padding=(k - 1)//2, bias=false); batchnorm()
}

block squeeze_excitation(C, r=16) {
    se: parallel(merge="mul") {
        branch { }
        branch {
            adaptive_avgpool2d(out=1)                 # squeeze: (C, 1, 1)
            conv2d(C_out=C//r, k=1); relu()           # (C + 1) x C/r
            conv2d(C_out=C, k=1); sigmoid()           # (C/r + 1) x C
        }
    }
}

block se_bottleneck(C, stride=1, project=false) {
    residual {
        conv_bn(C_out=C); relu()
        conv_bn(C_out=C, k=3, stride=stride); relu()
        conv_bn(C_out=4*C)
        squeeze_excitation(C=4*C)
    } shortcut {
        if project { downsample: conv_bn(C_out=4*C, stride=stride) }
    }
    relu()
}

network se_resnet50_block {
    input(H=56, W=56, C=64)
    se_bottleneck(C=64, project=true)
}
