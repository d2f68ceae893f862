# GPT-2 (Radford et al. 2019), as transformers' GPT2LMHeadModel.
# Learned token and position embeddings (added), pre-norm blocks with LayerNorm,
# attention with biases (the fused c_attn: a Conv1D, which counts like a linear
# layer), a 4*d_model GELU feed-forward, a final LayerNorm, and an lm_head that
# shares the token embedding (tied: counted once). The context is n_ctx = 1024.
#
#   symcount count derivations/zoo/llm/gpt2.sc#gpt2_small --depth 0

block gpt2(n_layers, d_model, heads, V=50257, n_ctx=1024, ff=4*d_model, tied=true, lm_head=true) {
    parallel(merge="add") {
        branch { wte: embedding(V=V, dim=d_model) }      # token embedding
        branch { wpe: embedding(V=n_ctx, dim=d_model) }  # position embedding
    }
    repeat n_layers {                                    # GPT2Block
        residual { layernorm(); attention(heads=heads) }                     # ln_1, attn
        residual { layernorm(); linear(C_out=ff); gelu(); linear(C_out=d_model) }  # ln_2, mlp (n_inner)
    }
    layernorm()                                          # ln_f
    if lm_head {                                         # GPT2LMHeadModel (GPT2Model stops at ln_f)
        if tied { lm_head: linear(C_out=V, bias=false, tied=wte) }   # shares wte: counted once
        else { lm_head: linear(C_out=V, bias=false) }
    }
}

network gpt2_small {                                     # 124,439,808
    input(L=L)
    gpt2(n_layers=12, d_model=768, heads=12)
}

network gpt2_medium {                                    # 354,823,168
    input(L=L)
    gpt2(n_layers=24, d_model=1024, heads=16)
}

network gpt2_large {                                     # 774,030,080
    input(L=L)
    gpt2(n_layers=36, d_model=1280, heads=20)
}

network gpt2_xl {                                        # 1,557,611,200
    input(L=L)
    gpt2(n_layers=48, d_model=1600, heads=25)
}
