# The largest width C for which two 3x3 convolutions stay under 100,000 parameters.
# symcount solve derivations/solve/budget.sc --unknown C=1..256 --require "params <= 100000"
network budget(C) {
  input(H=32, W=32, C=3)
  conv2d(C_out=C, k=3, padding=1)
  conv2d(C_out=C, k=3, padding=1)
}
