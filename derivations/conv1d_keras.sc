# title: A 1-D convolution from a Keras model
# A Keras model applies Conv1D(filters=32, kernel_size=5) to sequences with 7
# features per time step. How many parameters does this layer have (with its bias)?
# convention: keras
network conv1d_keras {
    input(L=100, C=7)
    Conv1D(filters=32, kernel_size=5, use_bias=true)
}
