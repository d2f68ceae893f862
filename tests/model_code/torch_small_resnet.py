"""A small ResNet with an Inception-style stem, in the style of course notebooks (forward followed)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class Stem(nn.Module):
    def __init__(self, channels=3):
        super().__init__()
        self.branch1 = nn.Conv2d(channels, 8, kernel_size=1)
        self.branch3 = nn.Conv2d(channels, 16, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1)

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch3(x), self.pool(x)], dim=1)


class SmallResNet(nn.Module):
    def __init__(self, num_blocks=(2, 2), num_classes=10):
        super().__init__()
        self.in_planes = 27
        self.stem = Stem()
        self.layers = nn.ModuleList()
        for i, n in enumerate(num_blocks):
            stride = 1 if i == 0 else 2
            for _ in range(n):
                self.layers.append(BasicBlock(self.in_planes, 32 * 2 ** i, stride))
                self.in_planes = 32 * 2 ** i
                stride = 1
        self.linear = nn.Linear(self.in_planes, num_classes)

    def forward(self, x):
        out = self.stem(x)
        for layer in self.layers:
            out = layer(out)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        out = out.view(out.size(0), -1)
        out = self.linear(out)
        return F.log_softmax(out, dim=-1)


model = SmallResNet()
logits = model(torch.randn(2, 3, 32, 32))
