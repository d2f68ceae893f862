# title: A bidirectional LSTM's model.summary() in Keras
# A sentiment classifier reads reviews of 200 tokens from a vocabulary of 10,000 words:
# Embedding(10000, 128), then Bidirectional(LSTM(64)), then Dense(1, activation="sigmoid").
# How many parameters does model.summary() report for each layer, and in total?
# Bidirectional keeps two LSTMs, one reading forwards and one backwards, each with its
# own weights; their last states are concatenated, so Dense(1) reads 2 × 64 = 128 features.
# convention: keras
model = keras.Sequential([
    keras.Input(shape=(200,)),
    layers.Embedding(10000, 128),
    layers.Bidirectional(layers.LSTM(64)),
    layers.Dense(1, activation="sigmoid"),
])
