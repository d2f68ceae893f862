# What a convolution bias costs when batch norm follows it (batch norm's shift
# makes it redundant): the same network with bias on and off. The difference
# is one bias per output channel of every convolution.
#! compare @#small_vgg @#small_vgg --a-set bias=true --b-set bias=false
#! compare @#small_vgg @#small_vgg --a-set bias=true --b-set bias=false --set C=64
#! compare @#small_vgg @#small_vgg --a-set bias=true --b-set bias=false --set C=64 --convention keras

network small_vgg(C, bias=true) {
    input(H=32, W=32, C=3)
    conv2d(C_out=C, k=3, padding=1, bias=bias)
    batchnorm()
    relu()
    maxpool2d(k=2)
    conv2d(C_out=2*C, k=3, padding=1, bias=bias)
    batchnorm()
    relu()
    maxpool2d(k=2)
    conv2d(C_out=4*C, k=3, padding=1, bias=bias)
    batchnorm()
    relu()
    global_avgpool()
    linear(C_out=10)
}
