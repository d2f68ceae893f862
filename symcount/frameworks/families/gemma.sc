# The Gemma family (Gemma Team 2024), as transformers' GemmaForCausalLM and Gemma2ForCausalLM.
# Gemma is the Llama layout with a head that shares the token embedding (see llama.sc:
# llama(..., tied=true, head_dim=256)). Gemma 2 adds a second RMSNorm after attention and
# after the feed-forward (pre- and post-norm in both sublayers: four norms per layer);
# its logit soft-capping and alternating sliding windows change no weights.
#
#   symcount count derivations/zoo/llm/gemma.sc#gemma2_2b --depth 0

block gemma2(n_layers, d_model, V, ff, heads, kv_heads, head_dim=d_model/heads, tied=true,
             attention_bias=false, lm_head=true) {
    tok: embedding(V=V, dim=d_model)                 # embed_tokens
    repeat n_layers {                                # Gemma2DecoderLayer
        residual {                                   # input_layernorm, self_attn, post_attention_layernorm
            rmsnorm(); rotary(); attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=attention_bias)
            rmsnorm()
        }
        residual { rmsnorm(); gated_mlp(ff=ff); rmsnorm() }   # pre_ and post_feedforward_layernorm
    }
    rmsnorm()                                        # the final norm
    if lm_head {                                     # Gemma2ForCausalLM (Gemma2Model stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# Gemma-2-2B: 2,614,341,888 parameters (the head reuses the 256,000-token embedding)
network gemma2_2b {
    input(L=L)
    gemma2(n_layers=26, d_model=2304, V=256000, ff=9216, heads=8, kv_heads=4, head_dim=256)
}

# Gemma 3 (Gemma Team 2025), as transformers' Gemma3ForCausalLM (the text model; the
# multimodal Gemma3ForConditionalGeneration adds a vision tower). Gemma 2's four RMSNorms per
# layer, and an RMSNorm over head_dim on every query and key head (q_norm, k_norm: shared by
# the heads). Its interleaved sliding-window and global layers change which keys a query
# sees, not the weights; attention_bias=true gives all four projections a bias.
#
#   symcount count derivations/zoo/llm/gemma.sc#gemma3_1b --depth 0

block gemma3(n_layers, d_model, V, ff, heads, kv_heads, head_dim=256, tied=true, attention_bias=false,
             lm_head=true) {
    tok: embedding(V=V, dim=d_model)                 # embed_tokens (scaled by sqrt(d_model): no weight)
    repeat n_layers {                                # Gemma3DecoderLayer
        residual {
            rmsnorm(); rotary()
            attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=attention_bias, qk_norm="rmsnorm")
            rmsnorm()
        }
        residual { rmsnorm(); gated_mlp(ff=ff); rmsnorm() }
    }
    rmsnorm()
    if lm_head {                                     # Gemma3ForCausalLM (Gemma3TextModel stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# Gemma-3-1B (text only): 999,885,952 parameters (a 262,144-token vocabulary, shared with the head)
network gemma3_1b {
    input(L=L)
    gemma3(n_layers=26, d_model=1152, V=262144, ff=6912, heads=4, kv_heads=1)
}
