# An LSTM layer in PyTorch: four gates, two bias vectors per gate.
let title = "LSTM layer (PyTorch)"
let question = "A single-layer PyTorch nn.LSTM has input size {C_in} and hidden size {H}. How many parameters does it have?"
let ask = "params"
let C_in = choose(8, 16, 32, 50, 64, 100, 128)
let H = choose(16, 32, 64, 128, 256)

lstm(C_in=C_in, hidden=H)
