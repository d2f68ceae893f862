"""Two views of an image through one convolutional tower (a Conv2D and a BatchNormalization layer, each
applied to both inputs, so Keras keeps one set of their weights), joined, then two heads: a class and a
score (a model with two outputs)."""
import keras
from keras import layers

left = keras.Input(shape=(32, 32, 3), name="left")
right = keras.Input(shape=(32, 32, 3), name="right")

conv = layers.Conv2D(16, 3, padding="same", activation="relu")
norm = layers.BatchNormalization()
pool = layers.GlobalAveragePooling2D()


def embed(image):
    return pool(norm(conv(image)))


joined = layers.Concatenate()([embed(left), embed(right)])
hidden = layers.Dense(32, activation="relu")(joined)
model = keras.Model([left, right], layers.Dense(10, activation="softmax")(hidden))
