"""A functional model with two branches joined by Concatenate, and a residual Add."""
import keras
from keras import layers


def conv_block(x, filters):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)


inputs = keras.Input(shape=(64, 64, 3), name="image")
x = conv_block(inputs, 32)
left = conv_block(x, 32)
left = conv_block(left, 32)
right = layers.Conv2D(16, 1)(x)
x = layers.Concatenate()([left, right])
shortcut = x
x = layers.Conv2D(48, 3, padding="same")(x)
x = layers.Add()([x, shortcut])
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(5, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="two_branch")
