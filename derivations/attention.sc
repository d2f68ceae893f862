# title: Multi-head attention
# A multi-head self-attention layer has model width 512 and 8 heads (head size 64).
# How many parameters do its query, key, value and output projections have?
attention(d_model=512, heads=8)
