"""A siamese network in Keras's functional API: one tower (a Sequential model and a shared Dense layer)
applied to two inputs, so its weights are shared and counted once, then the two embeddings joined."""
import keras
from keras import layers

EMBEDDING = 64


def build_tower(features):
    return keras.Sequential([
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(128, activation="relu"),
    ], name="tower")


left_input = keras.Input(shape=(784,), name="left")
right_input = keras.Input(shape=(784,), name="right")
tower = build_tower(784)
project = layers.Dense(EMBEDDING, name="project")

left = project(tower(left_input))
right = project(tower(right_input))
distance = layers.Concatenate()([left, right])
score = layers.Dense(1, activation="sigmoid")(distance)

model = keras.Model(inputs=[left_input, right_input], outputs=score)
