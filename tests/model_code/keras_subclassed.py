"""A subclassed keras.Model: layers made in __init__, wired in call."""
import keras
from keras import layers


class MLP(keras.Model):
    def __init__(self, hidden=128, classes=10):
        super().__init__()
        self.dense1 = layers.Dense(hidden, activation="relu")
        self.dropout = layers.Dropout(0.2)
        self.dense2 = layers.Dense(hidden // 2, activation="relu")
        self.out = layers.Dense(classes)

    def call(self, inputs, training=False):
        x = self.dense1(inputs)
        x = self.dropout(x, training=training)
        x = self.dense2(x)
        return self.out(x)


model = MLP()
model(keras.Input(shape=(784,)))
