# An inverse question: the sizes are given, the padding is asked. Only draws where exactly one
# padding gives the stated output size are kept.
let title = "Which padding?"
let question = "A convolution with {C_out} filters of size {k} × {k} and stride {s} takes a {H} × {H} × {C_in} input to a {output_height} × {output_width} × {C_out} output. What zero padding p (the same on every side) does it use?"
let ask = "padding"
let unknown = "p"
let shared_answers = "allowed"
let C_in = choose(3, 16, 64)
let C_out = choose(16, 32, 128)
let k = choose(1, 3, 5, 7)
let s = choose(1, 2)
let p = choose(0, 1, 2, 3)
let H = choose(28, 32, 56, 64)
require p < k

network layer {
    input(H=H, W=H, C=C_in)
    conv2d(C_out=C_out, k=k, stride=s, padding=p)
}
