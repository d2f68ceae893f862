# title: Pooling layers
# How many parameters do a 2 × 2 max pooling, a 3 × 3 average pooling with stride 2
# and a global average pooling layer have?
maxpool2d(k=2)
avgpool2d(k=3, stride=2)
global_avgpool()
