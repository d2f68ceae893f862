"""A model built with model.add, as the Keras guides and many courses write it."""
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(32, 32, 3)))
for filters in [32, 64, 128]:
    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.MaxPooling2D(2))
model.add(layers.GlobalAveragePooling2D())
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(10))
