# "Output shape after this layer": a convolution with stride and padding.
# The require keeps only sizes where the kernel fits exactly (no rounding).
let title = "Output size of a convolution"
let question = "A convolution with {C_out} filters of size {k} × {k}, stride {s} and zero padding {p} is applied to an input of {H} × {H} × {C_in}. What is the height of its output?"
let ask = "output_height"
let C_in = choose(3, 16, 32)
let C_out = choose(16, 32, 64)
let k = choose(3, 5, 7, 11)
let s = choose(1, 2, 4)
let p = choose(0, 1, 2, 3)
let H = choose(32, 64, 96, 224, 227)
require (H - k + 2*p) % s == 0
require p < k

network layer {
    input(H=H, W=H, C=C_in)
    conv2d(C_out=C_out, k=k, stride=s, padding=p)
}
