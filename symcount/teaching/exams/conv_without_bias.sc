# Parameters of a 2-D convolution without bias (as before batch norm).
let title = "Convolution without bias"
let question = "A convolutional layer without bias maps {C_in} input channels to {C_out} output channels with {k} × {k} kernels. It is followed by batch normalisation, so it has no bias. How many parameters does the convolution have?"
let ask = "params"
let C_in = choose(16, 32, 64, 128, 256)
let C_out = choose(32, 64, 128, 256, 512)
let k = choose(3, 5, 7)
require C_out >= C_in

conv2d(C_in=C_in, C_out=C_out, k=k, bias=false)
