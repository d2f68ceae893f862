# title: An embedding layer
# A vocabulary of 10,000 words is embedded into 300-dimensional vectors.
# How many parameters does the embedding table have?
network word_vectors {
    input(L=50)
    embedding(V=10000, dim=300)
}
