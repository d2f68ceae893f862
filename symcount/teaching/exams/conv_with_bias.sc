# Parameters of a 2-D convolution with bias (PyTorch).
let title = "Convolution with bias"
let question = "A convolutional layer takes an input of {H} × {H} × {C_in} (height × width × channels) and applies {C_out} filters of size {k} × {k} with stride 1 and bias. How many trainable parameters does the layer have?"
let ask = "params"
let C_in = choose(3, 16, 32, 64, 128)
let C_out = choose(16, 32, 64, 128, 256)
let k = choose(1, 3, 5, 7)
let H = choose(28, 32, 64, 100)

network layer {
    input(H=H, W=H, C=C_in)
    conv2d(C_out=C_out, k=k)
}
