# Writes the whole-model fixtures with real PyTorch (2.15): python3 make_whole_models.py
import torch
import torch.nn as nn

class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 3), nn.Tanh())
        self.scale = 0.5
        self.names = ["a", "b"]

    def forward(self, x):
        return self.body(x) * self.scale

torch.manual_seed(0)
seq = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Dropout(0.3), nn.Flatten(), nn.Linear(8, 3))
seq(torch.randn(5, 1, 4, 4))  # running statistics
seq.eval()
torch.save(seq, "whole_sequential.pth")
x = torch.arange(32, dtype=torch.float32).reshape(2, 1, 4, 4) / 10 - 1
print("sequential", seq(x).flatten().tolist())

net = TinyNet()
torch.save(net, "whole_script_class.pth")
print("script", net(torch.arange(8, dtype=torch.float32).reshape(2, 4) / 4).flatten().tolist())
