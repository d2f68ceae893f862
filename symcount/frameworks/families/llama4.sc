# Llama 4 (Meta 2025), the text model as transformers' Llama4ForCausalLM (Llama-4-Scout's
# and Maverick's text_config). The Llama layout (pre-norm RMSNorm, grouped-query attention
# without biases unless attention_bias=true, untied head unless tied=true) with a mixture of
# experts: every MoE layer has a router
# without bias (d_model x experts), `experts` routed SwiGLU experts of width ff of which
# top_k run per token (transformers keeps them as two stacked tensors, gate_up_proj and
# down_proj: the same 3*d_model*ff per expert), and one shared expert of width ff that
# every token runs through. With moe_step=s only every s-th layer is MoE
# (interleave_moe_layer_step; Maverick: 2), the others a dense SwiGLU of width ff_mlp
# (intermediate_size_mlp). The QK-norm of the rotary layers is an L2 norm without weights,
# and three rotary layers in four (no_rope_layers) change no weights either: neither adds a
# parameter.
#
#   symcount count derivations/zoo/llm/llama4.sc#llama4_scout --depth 0

block llama4(n_layers, d_model, V, ff, ff_mlp, heads, kv_heads, head_dim, experts, top_k=1, moe_step=1,
             tied=false, lm_head=true, attention_bias=false) {
    tok: embedding(V=V, dim=d_model)                 # embed_tokens
    repeat n_layers / moe_step {                     # Llama4TextDecoderLayer, in groups of moe_step
        repeat moe_step - 1 {                        # the dense layers between MoE layers
            residual { rmsnorm(); rotary(); attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=attention_bias) }
            residual { rmsnorm(); gated_mlp(ff=ff_mlp) }
        }
        residual { rmsnorm(); rotary(); attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=attention_bias) }
        residual {
            rmsnorm()
            moe(experts=experts, top_k=top_k, shared=1) { gated_mlp(ff=ff) }   # router, experts, shared_expert
        }
    }
    rmsnorm()                                        # the final norm
    if lm_head {                                     # Llama4ForCausalLM (Llama4TextModel stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# Llama-4-Scout-17B-16E: 107,769,861,120 parameters, 17,172,894,720 active per token
network llama4_scout {
    input(L=L)
    llama4(n_layers=48, d_model=5120, V=202048, ff=8192, ff_mlp=16384, heads=40, kv_heads=8, head_dim=128,
           experts=16, top_k=1)
}
