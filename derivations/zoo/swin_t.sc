# Swin-T (Liu et al., 2021), 224x224, as transformers' SwinForImageClassification
# with 1,000 labels: 28,288,354 parameters and 28,812 buffers.
# 4x4 patches (a stride-4 convolution) and a layer norm give a 56x56 map of
# 96-vectors; four stages of Swin blocks, depths (2, 2, 6, 2), attend within 7x7
# windows, each block with its own relative position bias: (2*7 - 1)^2 = 169
# offsets x heads, read through a 49 x 49 index buffer (2,401). Every second block
# shifts its windows by 3 (cyclic shift and mask): no weight, no count changes.
# Patch merging between stages halves H and W and doubles the channels.
# title: Swin-T
block swin_block(C, heads) {
    residual { layernorm(); attention(heads=heads, window=7) }      # W-MSA / SW-MSA
    residual { layernorm(); linear(C_out=4*C); gelu(); linear(C_out=C) }
}

block stage(C, heads, n) {
    blocks: repeat n { swin_block(C=C, heads=heads) }
}

network swin_t {
    input(H=224, W=224, C=3)
    patch_embedding: conv2d(C_out=96, k=4, stride=4)   # 4*4*3*96 + 96
    layernorm()                                        # 96 @ 56x56
    stage1: stage(C=96, heads=3, n=2);   patch_merging()   # 4C -> 2C: 192 @ 28x28
    stage2: stage(C=192, heads=6, n=2);  patch_merging()   # 384 @ 14x14
    stage3: stage(C=384, heads=12, n=6); patch_merging()   # 768 @ 7x7
    stage4: stage(C=768, heads=24, n=2)
    layernorm()
    global_avgpool()
    classifier: linear(C_out=1000)
}
