#!/usr/bin/env python3
"""Runs the PyTorch oracle, unchanged, on another torch device: sets torch's default device (so every
tensor and module the oracle makes lives there), then runs the oracle script as __main__.

  python3 bench/oracle_device.py cuda ../shared/reference/torch_reference.py --N 512 ... --seed 0

On the CPU the oracle needs no wrapper. On CUDA its data comes from CUDA's generator, so a run
differs from the CPU one by seed-level noise, as it does from ours.
"""
import runpy
import sys

import torch

device, script = sys.argv[1], sys.argv[2]
if device != "cpu":  # torch >= 2.0; the CPU is already the default
    torch.set_default_device(device)
sys.argv = [script] + sys.argv[3:]
runpy.run_path(script, run_name="__main__")
