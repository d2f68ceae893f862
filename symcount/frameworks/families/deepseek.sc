# DeepSeek-V3 (DeepSeek-AI 2024), as transformers' DeepseekV3ForCausalLM (without the
# multi-token-prediction module, which transformers does not build).
# Multi-head latent attention: queries through a q_lora_rank latent, keys and values
# through one kv_lora_rank latent (with an RMSNorm; that latent and the rotary key part are
# what inference caches), each query/key head a position-free part (qk_nope_head_dim)
# and a rotary part (qk_rope_head_dim). The first n_dense layers keep a dense SwiGLU
# feed-forward; every later one is a mixture of experts: a router without bias with an
# e_score_correction_bias buffer (one value per expert), n_routed experts of width
# moe_ff of which top_k run per token, and shared experts every token runs through.
# q_lora_rank=0 is a full q_proj (DeepSeek-V2-Lite); attention_bias=true puts a bias on
# q_a_proj, kv_a_proj_with_mqa and o_proj, as transformers does.
#
#   symcount count derivations/zoo/llm/deepseek.sc#deepseek_v3 --depth 0

block deepseek(n_layers, n_dense, d_model, V, ff, moe_ff, heads, q_lora_rank, kv_lora_rank, qk_rope_head_dim,
               qk_nope_head_dim, v_head_dim, experts, top_k, shared, attention_bias=false, tied=false,
               lm_head=true) {
    tok: embedding(V=V, dim=d_model)                 # embed_tokens
    repeat n_dense {                                 # DeepseekV3DecoderLayer, layer_idx < first_k_dense_replace
        residual {
            rmsnorm()
            latent_attention(heads=heads, q_lora_rank=q_lora_rank, kv_lora_rank=kv_lora_rank,
                             qk_rope_head_dim=qk_rope_head_dim, qk_nope_head_dim=qk_nope_head_dim,
                             v_head_dim=v_head_dim, bias=attention_bias)
        }
        residual { rmsnorm(); gated_mlp(ff=ff) }
    }
    repeat n_layers - n_dense {                      # the mixture-of-experts layers
        residual {
            rmsnorm()
            latent_attention(heads=heads, q_lora_rank=q_lora_rank, kv_lora_rank=kv_lora_rank,
                             qk_rope_head_dim=qk_rope_head_dim, qk_nope_head_dim=qk_nope_head_dim,
                             v_head_dim=v_head_dim, bias=attention_bias)
        }
        residual {
            rmsnorm()
            moe(experts=experts, top_k=top_k, shared=shared, correction_bias=true) { gated_mlp(ff=moe_ff) }
        }
    }
    rmsnorm()
    if lm_head {                                     # DeepseekV3ForCausalLM (DeepseekV3Model stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# DeepSeek-V3 (and R1): 671,026,404,352 parameters without the MTP module, 37.5 billion active
network deepseek_v3 {
    input(L=L)
    deepseek(n_layers=61, n_dense=3, d_model=7168, V=129280, ff=18432, moe_ff=2048, heads=128, q_lora_rank=1536,
             kv_lora_rank=512, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128, experts=256, top_k=8,
             shared=1)
}
