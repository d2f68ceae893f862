# Whisper (Radford et al. 2022), as transformers' WhisperModel (the encoder-decoder
# without its output projection, which WhisperForConditionalGeneration ties to the token
# embedding). The encoder is a stream of its own: 2*n_audio frames of n_mels log-mel
# features through two 1-D convolutions (kernel 3, GELU; the second with stride 2 halves
# the frames to n_audio), plus a sinusoidal position table kept as a frozen parameter
# (trainable=false: counted, not trained), then pre-norm layers. The decoder embeds the
# target tokens with a learned position table (n_text x d_model), and cross-attends to the
# encoder's n_audio positions (to=encoder). Whisper's key projections have no bias. The
# decoder may be shallower than the encoder (distil-whisper: dec_layers, dec_heads, dec_ff);
# lm_head=true is WhisperForConditionalGeneration's proj_out, tied to the token embedding
# unless tied=false.
#
#   symcount count derivations/zoo/llm/whisper.sc#whisper_tiny --depth 0

block whisper(n_layers, d_model, heads, ff, V=51865, n_mels=80, n_audio=1500, n_text=448, dec_layers=n_layers,
              dec_heads=heads, dec_ff=ff, lm_head=false, tied=true) {
    encoder: stream {
        input(L=2*n_audio, C=n_mels)                              # mel frames (30 s of audio)
        conv1d(C_out=d_model, k=3, padding=1); gelu()             # conv1
        conv1d(C_out=d_model, k=3, stride=2, padding=1); gelu()   # conv2
        residual { embed_positions: embedding(V=n_audio, dim=d_model, trainable=false) }   # added: frozen
        repeat n_layers {                                         # WhisperEncoderLayer
            residual { layernorm(); attention(heads=heads, k_bias=false) }
            residual { layernorm(); linear(C_out=ff); gelu(); linear(C_out=d_model) }
        }
        layernorm()
    }
    input(L=L)
    parallel(merge="add") {
        branch { embed_tokens: embedding(V=V, dim=d_model) }
        branch { embedding(V=n_text, dim=d_model) }               # embed_positions (learned)
    }
    repeat dec_layers {                                           # WhisperDecoderLayer
        residual { layernorm(); attention(heads=dec_heads, k_bias=false) }
        residual { layernorm(); attention(heads=dec_heads, k_bias=false, to=encoder) }   # encoder_attn
        residual { layernorm(); linear(C_out=dec_ff); gelu(); linear(C_out=d_model) }
    }
    layernorm()
    if lm_head {                                                  # WhisperForConditionalGeneration
        if tied { proj_out: linear(C_out=V, bias=false, tied=embed_tokens) }
        else { proj_out: linear(C_out=V, bias=false) }
    }
}

# Whisper-tiny: 37,760,640 parameters, of which the encoder's 1500 x 384 position table (576,000) is frozen
network whisper_tiny {
    whisper(n_layers=4, d_model=384, heads=6, ff=1536)
}
