# Parameters of a fully connected layer with bias.
let title = "Dense layer"
let question = "A fully connected (dense) layer with bias maps {C_in} inputs to {C_out} outputs. How many trainable parameters does it have?"
let ask = "params"
let C_in = choose(64, 100, 128, 256, 300, 512, 784)
let C_out = choose(10, 32, 64, 100, 128, 256)

linear(C_in=C_in, C_out=C_out)
