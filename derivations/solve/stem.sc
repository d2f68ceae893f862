# Which stride and padding take a 224x224 image to 112x112 through a 7x7 convolution (ResNet's stem)?
# symcount solve derivations/solve/stem.sc --unknown s=1..4 --unknown p=0..6 --require "conv1.output_size == 112"
network stem(s, p) {
  input(H=224, W=224, C=3)
  conv1: conv2d(C_out=64, k=7, stride=s, padding=p, bias=false)
}
