# BERT (Devlin et al. 2019), as transformers' BertModel with its pooler.
# Token, position and segment (token type) embeddings are added, then LayerNorm;
# post-norm encoder layers (attention with biases, add & LayerNorm, a GELU
# feed-forward, add & LayerNorm); the pooler is a dense layer with tanh on the
# first ([CLS]) token. BertForMaskedLM (mlm=true, pooler=false) ends in a dense
# transform, a LayerNorm and a decoder tied to the word embedding with its own bias.
#
#   symcount count derivations/zoo/llm/bert.sc#bert_base --depth 0

block bert(n_layers, d_model, heads, ff, V=30522, n_positions=512, n_segments=2, pooler=true, mlm=false,
           tied=true) {
    parallel(merge="add") {
        branch { word: embedding(V=V, dim=d_model) }
        branch { position: embedding(V=n_positions, dim=d_model) }
        branch { segment: embedding(V=n_segments, dim=d_model) }  # token_type
    }
    layernorm()
    repeat n_layers {                                      # BertLayer
        residual { attention(heads=heads) }
        layernorm()
        residual { linear(C_out=ff); gelu(); linear(C_out=d_model) }
        layernorm()
    }
    if pooler {                                            # BertModel's pooler reads [CLS]
        cls_token()
        pooler: linear(C_out=d_model); tanh()
    }
    if mlm {                                               # BertForMaskedLM: transform, then a decoder
        linear(C_out=d_model); gelu(); layernorm()         # that shares the word embedding and keeps
        if tied { decoder: linear(C_out=V, tied=word) }    # its own bias (V)
        else { decoder: linear(C_out=V) }
    }
}

network bert_base {                                        # 109,482,240
    input(L=L)
    bert(n_layers=12, d_model=768, heads=12, ff=3072)
}

network bert_large {                                       # 335,141,888
    input(L=L)
    bert(n_layers=24, d_model=1024, heads=16, ff=4096)
}
