# LeNet-5 (LeCun et al., 1998), as course notes draw it: tanh, average pooling,
# a plain 10-way output instead of the RBF layer.  61,706 parameters.
# title: LeNet-5
network lenet5 {
    input(H=32, W=32, C=1)
    C1: conv2d(C_out=6, k=5); tanh()          # 6 @ 28x28
    S2: avgpool2d(k=2)                        # 6 @ 14x14
    C3: conv2d(C_out=16, k=5); tanh()         # 16 @ 10x10 (full connection table)
    S4: avgpool2d(k=2)                        # 16 @ 5x5
    flatten()
    F5: linear(C_out=120); tanh()             # C_in = 16*5*5 = 400
    F6: linear(C_out=84); tanh()
    output: linear(C_out=10)
}
