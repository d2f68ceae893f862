# ViT (Dosovitskiy et al. 2021), as transformers' ViTModel (with its pooler) and
# ViTForImageClassification (without it, a classifier on the class token). The H x W image
# is cut into patch x patch_w patches by a convolution with that stride (the patch
# embedding), the (H/patch)(W/patch_w) patch vectors become a sequence, a learned class
# token goes in front and a learned position embedding is added; then pre-norm encoder layers
# (q, k and v with a bias unless qkv_bias=false, the output projection always with one) and a
# final LayerNorm. ViTModel's pooler reads the class token: a dense layer to pooler_dim
# (pooler_output_size) and tanh.
#
#   symcount count derivations/zoo/llm/vit.sc#vit_base --depth 0

block vit(n_layers, d_model, heads, ff, H=224, W=H, C=3, patch=16, patch_w=patch, qkv_bias=true, pooler=true,
          pooler_dim=d_model) {
    input(H=H, W=W, C=C)
    patch_embeddings: conv2d(C_out=d_model, k=(patch, patch_w), stride=(patch, patch_w))
    to_sequence()                                        # (H/patch * W/patch_w, d_model)
    class_token()                                        # cls_token: one more position
    pos_embedding()                                      # position_embeddings
    repeat n_layers {                                    # ViTLayer, pre-norm
        residual { layernorm(); attention(heads=heads, bias=qkv_bias, o_bias=true) }
        residual { layernorm(); linear(C_out=ff); gelu(); linear(C_out=d_model) }
    }
    layernorm()
    if pooler {                                          # ViTModel's pooler reads the class token
        cls_token()
        pooler: linear(C_out=pooler_dim); tanh()
    }
}

# ViT-Base/16 at 224 x 224 (google/vit-base-patch16-224-in21k): 86,389,248 parameters with the pooler
network vit_base {
    vit(n_layers=12, d_model=768, heads=12, ff=3072)
}
