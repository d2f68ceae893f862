# MobileNet's depthwise-separable convolution (Howard et al., 2017): a k x k
# depthwise filter per input channel, then a 1x1 pointwise convolution, against
# a standard k x k convolution, both without bias. The ratio is 1/C_out + 1/k^2.
#! compare @#separable @#standard
#! compare @#separable @#standard --set k=3
#! compare @#separable @#standard --set k=3 --set C_in=64 --sweep C_out=16..512

network separable {
    depthwise_conv2d(C_in=C_in, k=k, bias=false)
    conv2d(C_in=C_in, C_out=C_out, k=1, bias=false)
}

network standard {
    conv2d(C_in=C_in, C_out=C_out, k=k, bias=false)
}
