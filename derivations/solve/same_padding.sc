# Which padding keeps a 32x32 image 32x32 through a 5x5 convolution?
# symcount solve derivations/solve/same_padding.sc --unknown p=0..10 --require "output_size == 32"
network same_padding(p) {
  input(H=32, W=32, C=3)
  conv1: conv2d(C_out=16, k=5, padding=p)
}
