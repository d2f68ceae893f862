# VGG's argument (Simonyan & Zisserman, 2014): two stacked 3x3 convolutions see
# a 5x5 window like one 5x5 convolution, with fewer weights. C -> C channels.
#! compare @#conv5x5 @#two_conv3x3 --set bias=false
#! compare @#conv5x5 @#two_conv3x3 --set bias=true
#! compare @#conv5x5 @#two_conv3x3 --set bias=true --sweep C=16..512

network conv5x5(bias=false) {
    conv2d(C_in=C, C_out=C, k=5, bias=bias)
}

network two_conv3x3(bias=false) {
    conv2d(C_in=C, C_out=C, k=3, bias=bias)
    relu()
    conv2d(C_in=C, C_out=C, k=3, bias=bias)
}
