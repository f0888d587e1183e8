#!/usr/bin/env python3
"""PyTorch side of the side-by-side benchmark: the same MLP score network (D -> W -> W -> D, tanh, float32),
batch, Adam(1e-3) and thread count as ssm-bench's BenchMain, each objective written the way the reference
implementations write it (double backprop with torch.autograd.grad(..., create_graph=True)). Prints CSV rows
with BenchMain's columns.

    python3 torch_bench.py --threads 1 --cases headline,sweep [--out torch.csv]
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch

HEADER = ("side,threads,size,d,w,n,objective,path,steps,median_ms,mean_ms,min_ms,cpu_ms,gflop_step,sgemm_gflops,"
          "limit_ms,limit_ratio,heap_peak_mb,offheap_peak_mb,rss_peak_mb,faults_per_step")
OBJECTIVES = ["plain", "ssm", "ssm-vr", "ism", "dsm", "fd-ssm"]
SWEEP = [2, 8, 32, 128, 512]
BATCH = 128
SIGMA = 0.1
EPSILON = 0.01


def size(name):
    if name == "small":
        return 2, 128
    if name == "large":
        return 784, 512
    return int(name[1:]), 128


def flops(objective, n, d, w):
    """Matrix-multiply FLOPs a step needs; the same count as ssm4j's Flops.java (the first layer's input
    gradient, 2nDW, is not needed by any objective)."""
    f = lambda rows: 2.0 * rows * (d * w + w * w + w * d)
    first_input_grad = lambda rows: 2.0 * rows * d * w
    if objective in ("plain", "dsm"):
        return 3 * f(n) - first_input_grad(n)
    if objective == "ism":
        return 6 * f(n * d) - 2 * first_input_grad(n * d)
    return 6 * f(n) - 2 * first_input_grad(n)


def network(d, w):
    return torch.nn.Sequential(torch.nn.Linear(d, w), torch.nn.Tanh(), torch.nn.Linear(w, w), torch.nn.Tanh(),
                               torch.nn.Linear(w, d))


def rademacher(x):
    return torch.randint(0, 2, x.shape, dtype=x.dtype) * 2 - 1


def loss_fn(objective, net, x, y):
    if objective == "plain":
        return torch.nn.functional.mse_loss(net(x), y)
    if objective == "dsm":
        z = torch.randn_like(x)
        s = net(x + SIGMA * z)
        return 0.5 * ((s + z / SIGMA) ** 2).sum(-1).mean()
    if objective == "fd-ssm":
        v = rademacher(x)
        s = net(torch.cat([x + EPSILON * v, x - EPSILON * v]))
        plus, minus = (s[:len(x)] * v).sum(-1), (s[len(x):] * v).sum(-1)
        return (0.5 * (0.5 * (plus + minus)) ** 2 + (plus - minus) / (2 * EPSILON)).mean()
    x = x.detach().requires_grad_(True)
    s = net(x)
    if objective == "ism":
        # exact trace: one reverse pass per coordinate, each differentiated again (the reference's exact SM)
        trace = torch.zeros(len(x))
        for i in range(x.shape[1]):
            trace = trace + torch.autograd.grad(s[:, i].sum(), x, create_graph=True)[0][:, i]
        return (0.5 * (s ** 2).sum(-1) + trace).mean()
    v = rademacher(x)
    vjv = (torch.autograd.grad((s * v).sum(), x, create_graph=True)[0] * v).sum(-1)  # v^T J v by VJP
    if objective == "ssm-vr":
        return (0.5 * (s ** 2).sum(-1) + vjv).mean()
    return (0.5 * (s * v).sum(-1) ** 2 + vjv).mean()


def sgemm_gflops(w, seconds=1.0):
    a, b = torch.rand(BATCH, w), torch.rand(w, w)
    c = torch.empty(BATCH, w)
    for _ in range(20):
        torch.mm(a, b, out=c)
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        reps = 0
        while True:
            torch.mm(a, b, out=c)
            reps += 1
            now = time.perf_counter()
            if now - start >= seconds / 5:
                break
        best = max(best, 2.0 * BATCH * w * w * reps / (now - start) / 1e9)
    return best


def rss_peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(name, objective, threads, rate, budget):
    d, w = size(name)
    torch.manual_seed(42)
    net = network(d, w)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, y = torch.randn(BATCH, d), torch.randn(BATCH, d)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(objective, net, x, y).backward()
        opt.step()

    warm_start = time.perf_counter()
    warm_end = warm_start + budget * 0.5
    step()
    min_steps = 1 if time.perf_counter() - warm_start > budget else 3
    i = 1
    while min_steps > 1 and (i < 2 or (time.perf_counter() < warm_end and i < 200)):
        step()
        i += 1
    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    times, cpu = [], []
    end = time.perf_counter() + budget
    while len(times) < min_steps or (time.perf_counter() < end and len(times) < 500):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.thread_time() - c0) * 1e3)
    times.sort()
    cpu.sort()
    median = times[len(times) // 2]
    gflop = flops(objective, BATCH, d, w) / 1e9
    limit = gflop / rate * 1e3
    return (f"pytorch,{threads},{name},{d},{w},{BATCH},{objective},torch,{len(times)},{median:.3f},"
            f"{statistics.fmean(times):.3f},{times[0]:.3f},{cpu[len(cpu) // 2]:.3f},{gflop:.4f},{rate:.1f},{limit:.3f},{median / limit:.2f},"
            f"0,0,{rss_peak_mb():.0f},{(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0) / len(times):.0f}")


def cases(spec):
    out = []
    for part in spec.split(","):
        if part == "headline":
            out += [(s, o) for s in ("small", "large") for o in OBJECTIVES if (s, o) != ("large", "ism")]
        elif part == "sweep":
            out += [(f"d{d}", o) for d in SWEEP for o in ("ssm", "ism")]
        else:
            s, o = part.split(":")[:2]
            out.append((s, o))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cases", default="headline")
    p.add_argument("--budget", type=float, default=1.0)
    p.add_argument("--out")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    rates = {}
    lines = [HEADER]
    print(HEADER, flush=True)
    for name, objective in cases(a.cases):
        w = size(name)[1]
        if w not in rates:
            rates[w] = sgemm_gflops(w)
        line = measure(name, objective, a.threads, rates[w], a.budget * (4 if w > 128 else 1))
        print(line, flush=True)
        lines.append(line)
    if a.out:
        exists = os.path.exists(a.out) and os.path.getsize(a.out) > 0
        with open(a.out, "a") as f:
            f.write("\n".join(lines[1:] if exists else lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
