# An inverse question: the output size is given, the stride is asked. Only draws where exactly one
# stride gives the stated output size are kept.
let title = "Which stride?"
let question = "A convolution with {C_out} filters of size {k} × {k} and zero padding {p} takes a {H} × {H} × {C_in} input to a {output_height} × {output_width} × {C_out} output. What is its stride?"
let ask = "stride"
let unknown = "s"
let shared_answers = "allowed"
let C_in = choose(3, 16, 64)
let C_out = choose(16, 32, 128)
let k = choose(3, 5, 7)
let s = choose(1, 2, 3, 4)
let p = choose(0, 1, 2, 3)
let H = choose(32, 64, 96, 224)
require p < k

network layer {
    input(H=H, W=H, C=C_in)
    conv2d(C_out=C_out, k=k, stride=s, padding=p)
}
