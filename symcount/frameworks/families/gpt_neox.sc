# GPT-NeoX (Black et al. 2022) and Pythia (Biderman et al. 2023), as transformers'
# GPTNeoXForCausalLM. LayerNorm with biases, attention with biases (the fused
# query_key_value holds exactly the q, k and v projections' weights), rotary positions on
# part of each head (no weights), a 4x GELU feed-forward with biases, and by default the
# parallel residual: x + attention(ln_1(x)) + mlp(ln_2(x)) (use_parallel_residual=false
# runs them one after the other; the weights are the same). The head is not tied.
#
#   symcount count derivations/zoo/llm/gpt_neox.sc#pythia_1b --depth 0

block gpt_neox(n_layers, d_model, heads, ff, V, tied=false, attention_bias=true, parallel_residual=true,
               lm_head=true) {
    embed_in: embedding(V=V, dim=d_model)
    repeat n_layers {                                # GPTNeoXLayer
        if parallel_residual {
            residual {
                parallel(merge="add") {
                    branch { layernorm(); rotary(); attention(heads=heads, bias=attention_bias) }
                    branch { layernorm(); linear(C_out=ff); gelu(); linear(C_out=d_model) }
                }
            }
        } else {
            residual { layernorm(); rotary(); attention(heads=heads, bias=attention_bias) }
            residual { layernorm(); linear(C_out=ff); gelu(); linear(C_out=d_model) }
        }
    }
    layernorm()                                      # final_layer_norm
    if lm_head {                                     # GPTNeoXForCausalLM (GPTNeoXModel stops at the norm)
        if tied { lm_head: linear(C_out=V, bias=false, tied=embed_in) } else { lm_head: linear(C_out=V, bias=false) }
    }
}

# Pythia-1B: 1,011,781,632 parameters
network pythia_1b {
    input(L=L)
    gpt_neox(n_layers=16, d_model=2048, heads=8, ff=8192, V=50304)
}
