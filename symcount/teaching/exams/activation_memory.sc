# "How much memory do the activations take?": CS231n's way of counting (the input and every
# layer's output volume; in-place ReLUs store nothing new), for a batch of images.
let title = "Activation memory of a small CNN"
let question = "A batch of {batch} images of {H} × {H} × {C_in} goes through a 3 × 3 convolution with {C1} filters and padding 1, an in-place ReLU, a 2 × 2 max-pooling (stride 2), and a 3 × 3 convolution with {C2} filters and padding 1. How many activation values does the forward pass store, the input included (an in-place ReLU stores nothing new)?"
let ask = "activations"
let H = choose(16, 28, 32, 64)
let C_in = choose(1, 3)
let C1 = choose(8, 16, 32)
let C2 = choose(16, 32, 64)
let batch = choose(1, 2, 4, 8)

network cnn {
    input(H=H, W=H, C=C_in)
    conv2d(C_out=C1, k=3, padding=1)
    relu()
    maxpool2d(k=2)
    conv2d(C_out=C2, k=3, padding=1)
}
