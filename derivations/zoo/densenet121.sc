# DenseNet-121 (Huang et al., 2017), torchvision (densenet121): 7,978,856 parameters,
# 83,648 buffers.  Keras Applications (DenseNet121): 8,062,504 = 7,978,856
# trainable + 83,648 non-trainable (its batch-norm moving statistics).
# Every layer's output is concatenated to its input: a parallel with an empty branch.
# title: DenseNet-121
block bn_relu_conv(C_out, k=1) {                  # pre-activation convolution
    batchnorm(); relu(); conv2d(C_out=C_out, k=k, padding=(k - 1)//2, bias=false)
}

block dense_layer(growth=32, bn_size=4) {        # adds growth channels
    parallel {
        branch { }
        branch { bn_relu_conv(C_out=bn_size*growth); bn_relu_conv(C_out=growth, k=3) }
    }
}

block dense_block(n) { repeat n { dense_layer() } }

block transition(C_out) { bn_relu_conv(C_out=C_out); avgpool2d(k=2) }   # compression 0.5

network densenet121 {
    input(H=224, W=224, C=3)
    conv0: conv2d(C_out=64, k=7, stride=2, padding=3, bias=false); batchnorm(); relu()
    maxpool2d(k=3, stride=2, padding=1)                                 # 64 @ 56x56
    denseblock1: dense_block(n=6);  transition1: transition(C_out=128)  # 256 -> 128 @ 28x28
    denseblock2: dense_block(n=12); transition2: transition(C_out=256)  # 512 -> 256 @ 14x14
    denseblock3: dense_block(n=24); transition3: transition(C_out=512)  # 1024 -> 512 @ 7x7
    denseblock4: dense_block(n=16)                                      # 1024 @ 7x7
    batchnorm(); relu()
    adaptive_avgpool2d(out=1); flatten()
    classifier: linear(C_out=1000)
}
