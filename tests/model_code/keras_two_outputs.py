"""A functional model with two outputs (keras.Model(inputs, [class, box])): a shared convolutional trunk,
then a classification head and a regression head."""
import keras
from keras import layers

inputs = keras.Input(shape=(64, 64, 3))
x = layers.Conv2D(16, 3, strides=2, activation="relu")(inputs)
x = layers.BatchNormalization()(x)
x = layers.Conv2D(32, 3, strides=2, activation="relu")(x)
x = layers.GlobalAveragePooling2D()(x)
label = layers.Dense(10, activation="softmax", name="label")(x)
hidden = layers.Dense(16, activation="relu")(x)
box = layers.Dense(4, name="box")(hidden)
model = keras.Model(inputs, [label, box])
