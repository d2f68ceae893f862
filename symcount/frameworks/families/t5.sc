# T5 (Raffel et al. 2020), as transformers' T5ForConditionalGeneration.
# An encoder-decoder: the encoder is a stream of its own (S source tokens), the decoder
# reads the target tokens (L) and cross-attends to the encoder's output (to=encoder: keys
# and values over S positions). Pre-norm layers with T5's LayerNorm (an RMSNorm: a scale,
# no bias), attention without biases (inner width heads*d_kv), a ReLU feed-forward
# without biases. No position embeddings: the first layer of each stack learns a relative
# position bias (buckets x heads, added to the attention scores), which the layers after
# it reuse. One embedding (shared) serves the encoder, the decoder and the head.
#
#   symcount count derivations/zoo/llm/t5.sc#t5_small --depth 0

block t5_layer(d_model, d_kv, ff, heads, buckets=0, cross=false) {   # T5Block
    residual { rmsnorm(); attention(heads=heads, head_dim=d_kv, bias=false, relative_buckets=buckets) }
    if cross { residual { rmsnorm(); attention(heads=heads, head_dim=d_kv, bias=false, to=encoder) } }
    residual { rmsnorm(); linear(C_out=ff, bias=false); relu(); linear(C_out=d_model, bias=false) }  # wi, wo
}

block t5(n_layers, d_model, d_kv, ff, heads, V=32128, buckets=32) {
    encoder: stream {
        input(L=S)                                          # the source tokens
        shared: embedding(V=V, dim=d_model)
        t5_layer(d_model=d_model, d_kv=d_kv, ff=ff, heads=heads, buckets=buckets)   # relative_attention_bias
        repeat n_layers - 1 { t5_layer(d_model=d_model, d_kv=d_kv, ff=ff, heads=heads) }
        rmsnorm()                                           # final_layer_norm
    }
    input(L=L)                                              # the target tokens
    embedding(V=V, dim=d_model, tied=shared)
    t5_layer(d_model=d_model, d_kv=d_kv, ff=ff, heads=heads, buckets=buckets, cross=true)
    repeat n_layers - 1 { t5_layer(d_model=d_model, d_kv=d_kv, ff=ff, heads=heads, cross=true) }
    rmsnorm()
    lm_head: linear(C_out=V, bias=false, tied=shared)
}

# T5-small: 60,506,624 parameters
network t5_small {
    t5(n_layers=6, d_model=512, d_kv=64, ff=2048, heads=8)
}
