"""A model written as one nn.Sequential at the top level of a notebook, then tried on a batch."""
import torch
from torch import nn

model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=5, padding=2),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, kernel_size=5),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d((4, 4)),
    nn.Flatten(),
    nn.Linear(32 * 4 * 4, 10),
)
print(model(torch.randn(8, 1, 28, 28)).shape)
