# One SE-ResNet-50 bottleneck (Hu et al., 2018): the first block of the conv2
# stage, 64 -> 256 channels at 56x56, with a projected shortcut. Its
# squeeze-and-excitation (reduction r = 16) gates the residual branch before the
# add: global pooling to (C, 1, 1), two 1x1 convolutions with biases, a sigmoid,
# and a multiply that broadcasts the gate over the (C, H, W) map.
# 83,472 parameters (75,008 of ResNet-50's block + 8,464 of SE), 1,280 buffers.
# Labelled as torchvision's Bottleneck with timm's SE module (conv3.weight, se.1.bias).
# title: An SE-ResNet-50 bottleneck
block projection(C_out, stride=1) {  # torchvision's downsample: nn.Sequential(conv1x1, bn)
    0: conv2d(C_out=C_out, k=1, stride=stride, bias=false)
    1: batchnorm()
}

network se_resnet50_block {
    input(H=56, W=56, C=64)
    residual {
        conv1: conv2d(C_out=64, k=1, bias=false); bn1: batchnorm(); relu()
        conv2: conv2d(C_out=64, k=3, padding=1, bias=false); bn2: batchnorm(); relu()
        conv3: conv2d(C_out=256, k=1, bias=false); bn3: batchnorm()   # expand to 4 x 64
        se: parallel(merge="mul") {                   # squeeze and excite: out * se(out)
            branch { }
            branch {
                0: adaptive_avgpool2d(out=1)          # squeeze: (256, 1, 1)
                1: conv2d(C_out=256//16, k=1); 2: relu()   # (256 + 1) x 256/r, r = 16
                3: conv2d(C_out=256, k=1); 4: sigmoid()    # (256/r + 1) x 256
            }
        }
    } shortcut {
        downsample: projection(C_out=256)
    }
    relu()
}
