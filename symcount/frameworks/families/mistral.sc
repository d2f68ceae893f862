# The Mistral family (Jiang et al. 2023, 2024), as transformers' MistralForCausalLM and
# MixtralForCausalLM. The Llama layout (RMSNorm, rotary positions, grouped-query
# attention without biases, SwiGLU); sliding-window attention changes which keys a
# query sees, not the weights. Mixtral replaces each feed-forward by a mixture of
# experts: a router (d_model x experts, no bias) sends every token to top_k of the
# experts. Total parameters count every expert; active parameters count top_k.
#
#   symcount count derivations/zoo/llm/mistral.sc#mixtral_8x7b --depth 0

block mistral(n_layers, d_model, V, ff, heads, kv_heads, experts=1, top_k=1, head_dim=d_model/heads,
              tied=false, lm_head=true, moe=experts > 1) {
    tok: embedding(V=V, dim=d_model)                 # embed_tokens
    repeat n_layers {
        residual { rmsnorm(); rotary(); attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=false) }
        residual {
            rmsnorm()
            if moe { moe(experts=experts, top_k=top_k) { gated_mlp(ff=ff) } } else { gated_mlp(ff=ff) }
        }
    }
    rmsnorm()
    if lm_head {                                     # MistralForCausalLM (MistralModel stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# Mistral-7B (v0.1): 7,241,732,096 parameters
network mistral_7b {
    input(L=L)
    mistral(n_layers=32, d_model=4096, V=32000, ff=14336, heads=32, kv_heads=8)
}

# Mixtral-8x7B: 46,702,792,704 parameters in total, 12,879,925,248 active per token
network mixtral_8x7b {
    input(L=L)
    mistral(n_layers=32, d_model=4096, V=32000, ff=14336, heads=32, kv_heads=8, experts=8, top_k=2)
}
