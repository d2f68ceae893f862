"""One convolution applied twice in forward (its weights shared: torch counts them once), then a head."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = F.relu(self.conv(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.head(x)


model = Twice()
model(torch.zeros(1, 8, 16, 16))
