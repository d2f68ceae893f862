# title: A transformer encoder layer
# PyTorch's TransformerEncoderLayer(d_model=512, nhead=8, dim_feedforward=2048):
# self-attention, a two-layer feed-forward network and two layer norms. How many
# parameters does it have?
transformer_encoder_layer(d_model=512, heads=8, ff=2048)
