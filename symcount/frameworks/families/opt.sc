# OPT (Zhang et al. 2022), as transformers' OPTForCausalLM (OPTModel without the head).
# Token embeddings of width proj_dim (word_embed_proj_dim; OPT-350m: 512 under a 1024-wide
# model, so project_in and project_out, linear maps without bias, sit on either side of the
# layers), plus learned positions: n_positions + 2 rows (OPTLearnedPositionalEmbedding keeps
# an offset of 2 for the padding convention). Layers with LayerNorm before (pre_norm,
# do_layer_norm_before) or after (OPT-350m) attention and the ReLU feed-forward; biases
# everywhere unless bias=false (enable_bias); affine=false drops the LayerNorms' weights
# (layer_norm_elementwise_affine). The final LayerNorm only in the pre-norm models
# (final_norm); the head shares the token embedding (tied).
#
#   symcount count derivations/zoo/llm/opt.sc#opt_125m --depth 0

block opt(n_layers, d_model, heads, ff, V=50272, n_positions=2048, proj_dim=d_model, pre_norm=true,
          final_norm=pre_norm, bias=true, affine=true, tied=true, lm_head=true) {
    parallel(merge="add") {
        branch {
            tok: embedding(V=V, dim=proj_dim)                          # embed_tokens
            if proj_dim != d_model { project_in: linear(C_out=d_model, bias=false) }
        }
        branch { embedding(V=n_positions + 2, dim=d_model) }          # embed_positions (offset 2)
    }
    repeat n_layers {                                                  # OPTDecoderLayer
        if pre_norm {
            residual { layernorm(affine=affine); attention(heads=heads, bias=bias) }
            residual { layernorm(affine=affine); linear(C_out=ff, bias=bias); relu(); linear(C_out=d_model, bias=bias) }
        } else {
            residual { attention(heads=heads, bias=bias) }
            layernorm(affine=affine)
            residual { linear(C_out=ff, bias=bias); relu(); linear(C_out=d_model, bias=bias) }
            layernorm(affine=affine)
        }
    }
    if final_norm { layernorm(affine=affine) }                         # final_layer_norm
    if proj_dim != d_model { project_out: linear(C_out=proj_dim, bias=false) }
    if lm_head {                                                       # OPTForCausalLM
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# OPT-125m: 125,239,296 parameters
network opt_125m {
    input(L=L)
    opt(n_layers=12, d_model=768, heads=12, ff=3072)
}

# OPT-350m: word embeddings of 512 projected in and out of a 1024-wide post-norm model
network opt_350m {
    input(L=L)
    opt(n_layers=24, d_model=1024, heads=16, ff=4096, proj_dim=512, pre_norm=false)
}
