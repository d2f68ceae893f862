# "How many input pixels does one output see?": three stacked convolutions with strides and a dilation.
let title = "Receptive field of a stack of convolutions"
let question = "Three convolutions are stacked: kernel {k1} × {k1} with stride {s1}, then kernel {k2} × {k2} with stride {s2} and dilation {d2}, then kernel {k3} × {k3} with stride 1. How many input pixels along one side does one output position see (its receptive field)?"
let ask = "receptive_field"
let k1 = choose(3, 5, 7)
let s1 = choose(1, 2)
let k2 = choose(3, 5)
let s2 = choose(1, 2)
let d2 = choose(1, 2)
let k3 = choose(1, 3, 5)

network stack {
    input(H=128, W=128, C=3)
    conv2d(C_out=16, k=k1, stride=s1)
    relu()
    conv2d(C_out=16, k=k2, stride=s2, dilation=d2)
    relu()
    conv2d(C_out=16, k=k3)
}
