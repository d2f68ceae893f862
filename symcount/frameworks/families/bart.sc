# BART (Lewis et al. 2020), as transformers' BartModel.
# An encoder-decoder: the encoder is a stream of its own (S source tokens), the decoder
# reads the target tokens (L) and cross-attends to the encoder's output (to=encoder).
# Token embeddings (one table, shared) plus learned positions (max_position_embeddings + 2:
# BART offsets positions by 2), a LayerNorm on the embeddings, post-norm layers with
# attention and a GELU feed-forward, all with biases.
#
#   symcount count derivations/zoo/llm/bart.sc#bart_base --depth 0

block bart(n_layers, d_model, heads, ff, V=50265, n_positions=1024) {
    encoder: stream {
        input(L=S)
        parallel(merge="add") {
            branch { shared: embedding(V=V, dim=d_model) }
            branch { embedding(V=n_positions + 2, dim=d_model) }     # embed_positions
        }
        layernorm()                                                  # layernorm_embedding
        repeat n_layers {                                            # BartEncoderLayer
            residual { attention(heads=heads) }; layernorm()
            residual { linear(C_out=ff); gelu(); linear(C_out=d_model) }; layernorm()
        }
    }
    input(L=L)
    parallel(merge="add") {
        branch { embedding(V=V, dim=d_model, tied=shared) }
        branch { embedding(V=n_positions + 2, dim=d_model) }
    }
    layernorm()
    repeat n_layers {                                                # BartDecoderLayer
        residual { attention(heads=heads) }; layernorm()
        residual { attention(heads=heads, to=encoder) }; layernorm()  # encoder_attn
        residual { linear(C_out=ff); gelu(); linear(C_out=d_model) }; layernorm()
    }
}

# BART-base: 139,420,416 parameters
network bart_base {
    bart(n_layers=6, d_model=768, heads=12, ff=3072)
}
