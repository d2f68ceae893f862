# title: A stacked LSTM
# PyTorch's nn.LSTM(input_size=10, hidden_size=20, num_layers=2): the second layer reads
# the first layer's 20 hidden features instead of the 10 inputs. How many parameters
# does it have?
LSTM(input_size=10, hidden_size=20, num_layers=2)
