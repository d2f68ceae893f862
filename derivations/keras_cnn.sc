# title: A Keras CNN's model.summary()
# The Keras MNIST example: Conv2D(32, (3, 3), activation="relu") on 28 × 28 × 1 images,
# MaxPooling2D((2, 2)), Conv2D(64, (3, 3), activation="relu"), MaxPooling2D((2, 2)),
# Flatten(), Dense(64, activation="relu"), Dense(10, activation="softmax").
# How many parameters does model.summary() report for each layer, and in total?
# convention: keras
network mnist_cnn {
    input(H=28, W=28, C=1)
    Conv2D(32, (3, 3), activation="relu")
    MaxPooling2D((2, 2))
    Conv2D(64, (3, 3), activation="relu")
    MaxPooling2D((2, 2))
    Flatten()
    Dense(64, activation="relu")
    Dense(10, activation="softmax")
}
