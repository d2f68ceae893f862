# What-ifs for decoder-only LLMs (docs/llm.md is generated from these networks).
#
# One decoder in the Llama layout (RMSNorm, rotary, attention without biases,
# SwiGLU, untied or tied head), called symbolically and at published sizes:
#
#   symcount count derivations/zoo/llm/whatifs.sc#exact --depth 0
#   symcount count derivations/zoo/llm/whatifs.sc#llama3_8b_mha --depth 0

block decoder(n_layers, d_model, V, ff, heads, kv_heads, head_dim, tied=false) {
    tok: embedding(V=V, dim=d_model)
    repeat n_layers {
        residual { rmsnorm(); rotary(); attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=false) }
        residual { rmsnorm(); gated_mlp(ff=ff) }
    }
    rmsnorm()
    if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
}

# 1. The exact count as a polynomial: every size a symbol (head_dim is d_model/heads in
#    Llama, Mistral and most others; it is a separate symbol here so the count stays
#    a polynomial). Compare with Kaplan et al.'s N = 12 n_layers d_model^2.
network exact(n_layers, d_model, V, ff, heads, kv_heads, head_dim) {
    input(L=L)
    decoder(n_layers=n_layers, d_model=d_model, V=V, ff=ff, heads=heads, kv_heads=kv_heads, head_dim=head_dim)
}

# 2. Grouped-query vs multi-head attention at the same width: MHA is kv_heads = heads.
#    The saving is 2 n_layers d_model head_dim (heads - kv_heads): the k and v projections.
network mha(n_layers, d_model, V, ff, heads, head_dim) {
    input(L=L)
    decoder(n_layers=n_layers, d_model=d_model, V=V, ff=ff, heads=heads, kv_heads=heads, head_dim=head_dim)
}

network llama3_8b_gqa {                  # as published: 8 key/value heads
    input(L=L)
    decoder(n_layers=32, d_model=4096, V=128256, ff=14336, heads=32, kv_heads=8, head_dim=128)
}

network llama3_8b_mha {                  # the same model with 32 key/value heads
    input(L=L)
    decoder(n_layers=32, d_model=4096, V=128256, ff=14336, heads=32, kv_heads=32, head_dim=128)
}

# 3. Tied vs untied embeddings: tying removes the head's V x d_model matrix.
network exact_tied(n_layers, d_model, V, ff, heads, kv_heads, head_dim) {
    input(L=L)
    decoder(n_layers=n_layers, d_model=d_model, V=V, ff=ff, heads=heads, kv_heads=kv_heads, head_dim=head_dim,
            tied=true)
}

network llama3_2_1b_tied {               # as published
    input(L=L)
    decoder(n_layers=16, d_model=2048, V=128256, ff=8192, heads=32, kv_heads=8, head_dim=64, tied=true)
}

network llama3_2_1b_untied {             # the same model with its own head
    input(L=L)
    decoder(n_layers=16, d_model=2048, V=128256, ff=8192, heads=32, kv_heads=8, head_dim=64)
}

# 4. Dense vs mixture of experts: each feed-forward becomes `experts` copies and a router;
#    a token uses top_k of them. Total counts every expert, active counts top_k.
network moe(n_layers, d_model, V, ff, heads, kv_heads, head_dim, experts, top_k) {
    input(L=L)
    embedding(V=V, dim=d_model)
    repeat n_layers {
        residual { rmsnorm(); rotary(); attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=false) }
        residual { rmsnorm(); moe(experts=experts, top_k=top_k) { gated_mlp(ff=ff) } }
    }
    rmsnorm()
    linear(C_out=V, bias=false)
}
