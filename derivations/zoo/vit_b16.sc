# ViT-B/16 (Dosovitskiy et al., 2021), 224x224, as transformers'
# ViTForImageClassification with 1,000 labels: 86,567,656 parameters.
# The image is cut into 16x16 patches (a convolution with stride 16), the 14x14
# patch vectors become a sequence of 196, a learned class token goes in front
# (197) and a learned position embedding is added; then 12 pre-norm encoder
# layers, a final layer norm, and the classifier reads the class token.
# title: ViT-B/16
block vit(P, d, layers, heads, ff, classes) {
    patch_embedding: conv2d(C_out=d, k=P, stride=P)   # 16*16*3*d + d
    to_sequence()                                     # (196, d)
    class_token()                                     # d: the sequence is 197 long
    pos_embedding()                                   # 197*d
    encoder: repeat layers {                          # ViTLayer, pre-norm
        residual { layernorm(); attention(heads=heads) }
        residual { layernorm(); linear(C_out=ff); gelu(); linear(C_out=d) }
    }
    layernorm()
    cls_token()                                       # the classifier reads the class token
    classifier: linear(C_out=classes)
}

network vit_b16 {
    input(H=224, W=224, C=3)
    vit(P=16, d=768, layers=12, heads=12, ff=3072, classes=1000)
}
