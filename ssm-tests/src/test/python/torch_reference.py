#!/usr/bin/env python3
"""Reference values for ssm4j's score-matching objectives, from PyTorch double backprop (float64).

Usage: torch_reference.py IN.json OUT.json

IN holds {"cases": [case, ...]}; every array is {"shape": [...], "data": [flat, row-major]}. A case:
  id        a name, echoed back
  model     "tanh_score" | "relu_score": s(x) = act(x W1 + b1) W2 + b2, params W1 [D,H], b1 [H], W2 [H,D], b2 [D]
            "tanh_score_over_sigma": s(x, σ) = (tanh(x W1 + b1) W2 + b2) / σ, noise-conditional
            "softplus_energy": E(x) = softplus(x W + c) a + ½‖x‖², params W [D,H], c [H], a [H,1]; s = −∇ₓE
  params    {name: array}
  x         [N, D]
  weights   optional [N] example weights; the loss is their weighted mean (default: equal weights)
  objective {"name": "ssm" | "ssm-vr" | "ism" | "dsm" | "ncsn-dsm" | "fd-ssm" | "fd-ssm-vr",
             "sigma": σ (dsm), "sigmas": [σ_k] (ncsn-dsm), "epsilon": ε (fd-*)}
  v         [M, N, D] projections (ssm, ssm-vr, fd-ssm, fd-ssm-vr); z [N, D] standard normal noise (dsm)
  levels    [N] index into sigmas per example (ncsn-dsm)
OUT holds {"results": [{"id", "loss", "terms": {name: value}, "gradients": {param: array}}, ...]}.

Written from docs/score-matching.md (shared docs) and the objectives' Javadoc, not from the Java code:
per example, averaged over the M projections and then over the batch,
  SSM     ½(vᵀs)² + vᵀJv            terms projected_norm, curvature   (J = ∂s/∂x)
  SSM-VR  ½‖s‖²   + vᵀJv            terms norm, curvature
  ISM     ½‖s‖²   + tr J            terms norm, trace (exact: one gradient call per coordinate)
  DSM     ½‖s(x̃) + (x̃ − x)/σ²‖², x̃ = x + σz   term denoising (a conditional model gets s(x̃, σ));
          noise-conditional: σ = sigmas[level] per example and the example's value weighted by σ²
  FD-SSM  score network, s± = s(x ± εv), s̄ = (s₊ + s₋)/2: curvature (vᵀs₊ − vᵀs₋)/(2ε) and
          projected_norm ½(vᵀs̄)² (fd-ssm) or norm ½‖s̄‖² (fd-ssm-vr);
          energy model, E₀, E± = E(x ± εv): vᵀs ≈ −(E₊ − E₋)/(2ε), vᵀJv ≈ −(E₊ − 2E₀ + E₋)/ε².
vᵀJv is the gradient of s along the cotangent v (Jᵀv, per example since examples are independent)
dotted with v, built with create_graph=True so the loss can be differentiated once more to the weights.
"""
import json
import sys

import torch
from torch.autograd import grad
from torch.nn.functional import softplus


def tensor(a):
    return torch.tensor(a["data"], dtype=torch.float64).reshape(a["shape"])


def plain(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def mlp_score(act):
    return lambda x, p: act(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]


def softplus_energy(x, p):
    return (softplus(x @ p["W"] + p["c"]) @ p["a"]).reshape(-1) + 0.5 * (x * x).sum(1)


MODELS = {"tanh_score": ("score", mlp_score(torch.tanh)),
          "relu_score": ("score", mlp_score(torch.relu)),
          "softplus_energy": ("energy", softplus_energy),
          # noise-conditional: called as f(x, p, σ) with σ a column [N, 1]
          "tanh_score_over_sigma": ("conditional", lambda x, p, sigma: mlp_score(torch.tanh)(x, p) / sigma)}


def with_grad(x):
    return x if x.requires_grad else x.detach().requires_grad_()


def score_of(kind, f, p):
    """x ↦ s(x) [N, D], differentiable w.r.t. x and the params."""
    if kind == "score":
        return lambda x: f(x, p)

    def s(x):
        x = with_grad(x)
        return -grad(f(x, p).sum(), x, create_graph=True)[0]
    return s


def vjv(s_x, x, v):
    """vᵀ(∂s/∂x)v per example."""
    return (grad(s_x, x, grad_outputs=v, create_graph=True)[0] * v).sum(1)


def terms_per_example(case, kind, f, p, x):
    obj = case["objective"]
    name = obj["name"]
    s = score_of(kind, f, p)
    if name in ("ssm", "ssm-vr"):
        vs = tensor(case["v"])
        xg = with_grad(x)
        sx = s(xg)
        curvature = sum(vjv(sx, xg, v) for v in vs) / len(vs)
        if name == "ssm-vr":
            return {"norm": 0.5 * (sx * sx).sum(1), "curvature": curvature}
        projected = sum(0.5 * (sx * v).sum(1) ** 2 for v in vs) / len(vs)
        return {"projected_norm": projected, "curvature": curvature}
    if name == "ism":
        xg = with_grad(x)
        sx = s(xg)
        trace = sum(grad(sx[:, i].sum(), xg, create_graph=True)[0][:, i] for i in range(x.shape[1]))
        return {"norm": 0.5 * (sx * sx).sum(1), "trace": trace}
    if name in ("dsm", "ncsn-dsm"):
        n = x.shape[0]
        sigma = (torch.full((n,), obj["sigma"], dtype=torch.float64) if name == "dsm"
                 else torch.tensor(obj["sigmas"], dtype=torch.float64)[case["levels"]]).reshape(n, 1)
        noisy = x + sigma * tensor(case["z"])
        r = (f(noisy, p, sigma) if kind == "conditional" else s(noisy)) + (noisy - x) / sigma ** 2
        value = 0.5 * (r * r).sum(1)
        return {"denoising": value * sigma.reshape(-1) ** 2 if name == "ncsn-dsm" else value}
    if name in ("fd-ssm", "fd-ssm-vr"):
        eps = obj["epsilon"]
        vs = tensor(case["v"])
        first, curvature = 0, 0
        for v in vs:
            if kind == "energy":
                assert name == "fd-ssm", "the variance-reduced FD form is for score networks only"
                e0, ep, em = f(x, p), f(x + eps * v, p), f(x - eps * v, p)
                first = first + 0.5 * ((ep - em) / (2 * eps)) ** 2
                curvature = curvature - (ep - 2 * e0 + em) / eps ** 2
            else:
                sp, sm = s(x + eps * v), s(x - eps * v)
                mean = (sp + sm) / 2
                first = first + (0.5 * (mean * mean).sum(1) if name == "fd-ssm-vr"
                                 else 0.5 * (mean * v).sum(1) ** 2)
                curvature = curvature + ((sp * v).sum(1) - (sm * v).sum(1)) / (2 * eps)
        key = "norm" if name == "fd-ssm-vr" else "projected_norm"
        return {key: first / len(vs), "curvature": curvature / len(vs)}
    raise ValueError("unknown objective " + name)


def evaluate(case):
    kind, f = MODELS[case["model"]]
    p = {k: tensor(a).requires_grad_() for k, a in case["params"].items()}
    x = tensor(case["x"])
    w = tensor(case["weights"]) if case.get("weights") else torch.ones(x.shape[0], dtype=torch.float64)
    w = w / w.sum()
    terms = {k: (w * t).sum() for k, t in terms_per_example(case, kind, f, p, x).items()}
    loss = sum(terms.values())
    names = list(p)
    grads = grad(loss, [p[k] for k in names])
    return {"id": case["id"], "loss": loss.item(), "terms": {k: t.item() for k, t in terms.items()},
            "gradients": {k: plain(g) for k, g in zip(names, grads)}}


def main(src, dst):
    torch.set_num_threads(1)
    with open(src) as fh:
        cases = json.load(fh)["cases"]
    with open(dst, "w") as fh:
        json.dump({"torch": torch.__version__, "results": [evaluate(c) for c in cases]}, fh)


if __name__ == "__main__":
    main(*sys.argv[1:])
