"""Compare rnnlearn's RNN, LSTM and GRU with torch.nn.RNN / LSTM / GRU, when torch is installed.

Not part of the test run (torch is never a dependency of the package or the book): the unit
tests compare the kernels with plain loops of the documented equations; this script checks the
same layout against PyTorch itself, forward and backward, in float64.

    PYTHONPATH=. python scripts/check_torch_equivalence.py     # needs numpy and torch
"""
import numpy as np
import torch

from rnnlearn import gru, lstm, rnn

T, B, D, H = 7, 3, 5, 4


def compare(name, module, torch_cls, **kwargs):
    torch.manual_seed(0)
    net = torch_cls(D, H, dtype=torch.float64)
    params = module.from_state_dict({k: v.detach().numpy() for k, v in net.state_dict().items()})
    rng = np.random.default_rng(0)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    c0, dhs = rng.standard_normal((B, H)), rng.standard_normal((T, B, H))
    x_t = torch.tensor(xs, requires_grad=True)
    h_t = torch.tensor(h0[None], requires_grad=True)
    state_t = (h_t, torch.tensor(c0[None])) if name == "lstm" else h_t
    out, _ = net(x_t, state_t)
    out.backward(torch.tensor(dhs))
    state = (h0, c0) if name == "lstm" else h0
    hs, cache = module.forward(xs, state, params, **kwargs)
    dxs, dstate0, grads = module.backward(dhs, cache)
    dh0 = dstate0[0] if name == "lstm" else dstate0
    gaps = {"hs": np.abs(hs - out.detach().numpy()).max(),
            "dxs": np.abs(dxs - x_t.grad.numpy()).max(),
            "dh0": np.abs(dh0 - h_t.grad.numpy()[0]).max()}
    for key in rnn.KEYS:
        gaps[key] = np.abs(grads[key] - getattr(net, key + "_l0").grad.numpy()).max()
    worst = max(gaps, key=gaps.get)
    print(f"{name:5s} vs torch.nn.{torch_cls.__name__}: largest difference {gaps[worst]:.1e} "
          f"({worst}); forward {gaps['hs']:.1e}")
    assert gaps[worst] < 1e-12, gaps


if __name__ == "__main__":
    print(f"torch {torch.__version__}, float64, T={T} B={B} D={D} H={H}")
    compare("rnn", rnn, torch.nn.RNN)
    compare("lstm", lstm, torch.nn.LSTM)
    compare("gru", gru, torch.nn.GRU)
