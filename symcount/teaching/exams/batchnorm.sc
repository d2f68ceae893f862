# Batch normalisation in Keras: trainable scale and shift, non-trainable moving statistics.
let title = "Batch normalisation (Keras)"
let question = "A Keras BatchNormalization layer follows a convolution with {C} output channels. How many parameters does model.summary() report for it in total (trainable and non-trainable)?"
let ask = "params"
let convention = "keras"
let C = choose(16, 24, 32, 48, 64, 96, 128, 256, 512)

batchnorm(C=C)
