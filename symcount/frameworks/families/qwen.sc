# The Qwen family (Qwen Team 2024, 2025), as transformers' Qwen2ForCausalLM, Qwen3ForCausalLM
# and Qwen3MoeForCausalLM. The Llama layout (pre-norm RMSNorm, rotary positions, grouped-query
# attention, SwiGLU) with two attention changes: Qwen2 and Qwen2.5 learn a bias on the q, k and
# v projections but not on the output projection (q_bias/k_bias/v_bias on, o_bias off);
# Qwen3 drops the biases and normalises every query and key head with an RMSNorm over head_dim
# (qk_norm="rmsnorm": 2*head_dim parameters per layer, shared by the heads; attention_bias=true
# in a Qwen3 config puts a bias on all four projections: qkv_bias=true, o_bias=true). Qwen3-MoE
# replaces each feed-forward by a mixture of experts with a router without bias (moe=true keeps
# the router even for one expert, as Qwen3MoeSparseMoeBlock has; ff is then each expert's width).
#
#   symcount count derivations/zoo/llm/qwen.sc#qwen2_5_0_5b --depth 0
#   symcount count derivations/zoo/llm/qwen.sc#qwen3_30b_a3b --depth 0

block qwen(n_layers, d_model, V, ff, heads, kv_heads, head_dim, tied=false, qkv_bias=false, o_bias=false,
           qk_norm="none", experts=1, top_k=1, moe=experts > 1, lm_head=true) {
    tok: embedding(V=V, dim=d_model)                 # embed_tokens
    repeat n_layers {                                # Qwen2DecoderLayer, Qwen3DecoderLayer
        residual {
            rmsnorm(); rotary()
            attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=qkv_bias, o_bias=o_bias,
                      qk_norm=qk_norm)
        }
        residual {
            rmsnorm()
            if moe { moe(experts=experts, top_k=top_k) { gated_mlp(ff=ff) } } else { gated_mlp(ff=ff) }
        }
    }
    rmsnorm()                                        # the final norm
    if lm_head {                                     # Qwen2ForCausalLM (Qwen2Model stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=tok) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# One decoder layer of the Qwen mixtures of experts, as transformers' Qwen2MoeDecoderLayer and
# Qwen3MoeDecoderLayer: a config's decoder_sparse_step and mlp_only_layers make some layers dense
# (moe=false: one SwiGLU of width ff), so a config is read as runs of these layers. The
# expert layers route to `experts` SwiGLU experts of width moe_ff; Qwen2-MoE adds a shared
# expert of width shared_ff that every token runs through, scaled by its own gate: a
# d_model -> 1 projection without bias and a sigmoid (shared_expert_gate), multiplied in
# with broadcasting (shared_ff=0: none, as Qwen3-MoE).
block qwen_moe_layer(d_model, heads, kv_heads, head_dim, ff, moe_ff, experts, top_k, shared_ff=0, moe=true,
                     qkv_bias=false, o_bias=false, qk_norm="none") {
    residual {
        rmsnorm(); rotary()
        attention(heads=heads, kv_heads=kv_heads, head_dim=head_dim, bias=qkv_bias, o_bias=o_bias,
                  qk_norm=qk_norm)
    }
    residual {
        rmsnorm()
        if not moe { gated_mlp(ff=ff) }
        else if shared_ff == 0 { moe(experts=experts, top_k=top_k) { gated_mlp(ff=moe_ff) } }
        else {
            parallel(merge="add") {
                branch { moe(experts=experts, top_k=top_k) { gated_mlp(ff=moe_ff) } }
                branch {
                    parallel(merge="mul") {
                        branch { shared_expert: gated_mlp(ff=shared_ff) }
                        branch { shared_expert_gate: linear(C_out=1, bias=false); sigmoid() }
                    }
                }
            }
        }
    }
}

# Qwen2.5-0.5B: 494,032,768 parameters (q, k, v biases; the head shares the token embedding)
network qwen2_5_0_5b {
    input(L=L)
    qwen(n_layers=24, d_model=896, V=151936, ff=4864, heads=14, kv_heads=2, head_dim=64, tied=true, qkv_bias=true)
}

# Qwen2.5-7B: 7,615,616,512 parameters
network qwen2_5_7b {
    input(L=L)
    qwen(n_layers=28, d_model=3584, V=152064, ff=18944, heads=28, kv_heads=4, head_dim=128, qkv_bias=true)
}

# Qwen3-8B: no attention biases, an RMSNorm on every query and key head
network qwen3_8b {
    input(L=L)
    qwen(n_layers=36, d_model=4096, V=151936, ff=12288, heads=32, kv_heads=8, head_dim=128, qk_norm="rmsnorm")
}

# Qwen3-30B-A3B: 128 experts of width 768 in every layer, 8 active per token
network qwen3_30b_a3b {
    input(L=L)
    qwen(n_layers=48, d_model=2048, V=151936, ff=768, heads=32, kv_heads=4, head_dim=128, qk_norm="rmsnorm",
         experts=128, top_k=8)
}
