# The Llama family (Touvron et al. 2023; Meta 2024), as transformers' LlamaForCausalLM.
# A decoder-only transformer: pre-norm RMSNorm, rotary positions, grouped-query
# attention without biases (kv_heads key/value heads shared by heads query heads;
# attention_bias=true gives q, k, v and o their biases, mlp_bias=true the feed-forward's),
# a SwiGLU feed-forward, a final RMSNorm and an lm_head that may share the token
# embedding's matrix (tied=true: counted once).
#
#   symcount count derivations/zoo/llm/llama.sc#llama3_8b --depth 0
#   symcount memory derivations/zoo/llm/llama.sc#llama3_8b --dtype bf16 --training adam

block llama(n_layers, d_model, V, ff, heads, kv_heads, tied=false, head_dim=d_model/heads,
            attention_bias=false, mlp_bias=false, lm_head=true) {
    tok: embedding(V=V, dim=d_model)                 # embed_tokens
    repeat n_layers {                                # LlamaDecoderLayer
        residual { rmsnorm(); rotary(); attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=attention_bias) }
        residual { rmsnorm(); gated_mlp(ff=ff, bias=mlp_bias) }     # gate, up and down projections
    }
    rmsnorm()                                        # the final norm
    if lm_head {                                     # LlamaForCausalLM (LlamaModel stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# Llama-2-7B: 6,738,415,616 parameters (multi-head attention: kv_heads = heads)
network llama2_7b {
    input(L=L)
    llama(n_layers=32, d_model=4096, V=32000, ff=11008, heads=32, kv_heads=32)
}

# Llama-3-8B: 8,030,261,248 parameters (8 key/value heads, a 128,256-token vocabulary)
network llama3_8b {
    input(L=L)
    llama(n_layers=32, d_model=4096, V=128256, ff=14336, heads=32, kv_heads=8)
}

# Llama-3.2-1B: 1,235,814,400 parameters (the head reuses the token embedding)
network llama3_2_1b {
    input(L=L)
    llama(n_layers=16, d_model=2048, V=128256, ff=8192, heads=32, kv_heads=8, tied=true)
}
