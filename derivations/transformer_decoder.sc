# title: A transformer decoder layer
# PyTorch's TransformerDecoderLayer(d_model=512, nhead=8, dim_feedforward=2048):
# self-attention, cross-attention to the encoder's output, a two-layer feed-forward
# network and three layer norms. How many parameters does it have?
transformer_decoder_layer(d_model=512, heads=8, ff=2048)
