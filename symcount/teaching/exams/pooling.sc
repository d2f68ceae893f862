# A trick question: pooling has no parameters, whatever its size.
let title = "Pooling layer"
let question = "A {k} × {k} max-pooling layer with stride {k} follows a convolution with {C} output channels on a {H} × {H} feature map. How many trainable parameters does the pooling layer have?"
let ask = "params"
let shared_answers = "allowed"    # the trick: every variant's answer is 0
let C = choose(16, 32, 64, 128)
let k = choose(2, 3)
let H = choose(24, 32, 48, 96)
require H % k == 0

network layer {
    input(H=H, W=H, C=C)
    maxpool2d(k=k)
}
