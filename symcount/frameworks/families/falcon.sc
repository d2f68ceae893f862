# Falcon (TII 2023), as transformers' FalconForCausalLM (FalconModel without the head).
# Token embeddings, then layers whose attention projects q, k and v in one fused matrix:
# with multi_query one key/value head (kv_heads=1, Falcon-7B), with the new decoder
# architecture kv_heads groups (Falcon-40B, 180B), else as many as query heads; the same
# weights as separate q, k and v projections. With parallel=true (parallel_attn) attention
# and the feed-forward read the same normalised input and are added to the residual
# together: one LayerNorm (n_norms=1) or one each (n_norms=2, ln_attn and ln_mlp, the new
# decoder architecture); with parallel=false they run one after the other, each after its
# own LayerNorm. Biases on every projection only with bias=true. Rotary positions or ALiBi
# (alibi) add no weights. A final LayerNorm; the head shares the token embedding (tied).
#
#   symcount count derivations/zoo/llm/falcon.sc#falcon_7b --depth 0

block falcon(n_layers, d_model, heads, kv_heads, ff=4*d_model, V=65024, bias=false, parallel=true, n_norms=1,
             tied=true, lm_head=true) {
    tok: embedding(V=V, dim=d_model)                          # word_embeddings
    repeat n_layers {                                         # FalconDecoderLayer
        if not parallel {
            residual { layernorm(); attention(heads=heads, kv_heads=kv_heads, bias=bias) }
            residual { layernorm(); linear(C_out=ff, bias=bias); gelu(); linear(C_out=d_model, bias=bias) }
        } else if n_norms == 2 {
            parallel(merge="add") {
                branch { }                                    # the residual
                branch { ln_attn: layernorm(); attention(heads=heads, kv_heads=kv_heads, bias=bias) }
                branch { ln_mlp: layernorm(); linear(C_out=ff, bias=bias); gelu(); linear(C_out=d_model, bias=bias) }
            }
        } else {
            residual {
                layernorm()                                   # input_layernorm, read by both
                parallel(merge="add") {
                    branch { attention(heads=heads, kv_heads=kv_heads, bias=bias) }
                    branch { linear(C_out=ff, bias=bias); gelu(); linear(C_out=d_model, bias=bias) }
                }
            }
        }
    }
    layernorm()                                               # ln_f
    if lm_head {                                              # FalconForCausalLM
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# Falcon-7B: multi-query attention, attention and feed-forward in parallel: 6,921,720,704 parameters
network falcon_7b {
    input(L=L)
    falcon(n_layers=32, d_model=4544, heads=71, kv_heads=1)
}

# Falcon-40B: the new decoder architecture, 8 key/value groups, two LayerNorms per layer
network falcon_40b {
    input(L=L)
    falcon(n_layers=60, d_model=8192, heads=128, kv_heads=8, n_norms=2)
}
