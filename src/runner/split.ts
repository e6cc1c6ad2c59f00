// How a sweep splits the machine between parallel runs when not told.
//
// CPU, measured on a 2-core machine for a k=1024 batch (docs/benchmarks.md, "Sweeps: splitting the
// cores"): one single-threaded run per core beat one run on both cores by 8-19% in total
// samples/s over three measurements, as the per-node thread synchronisation inside a step is gone
// and one run's sampling overlaps the other's maths.
//
// WebGPU: one process drives the GPU, with as many runs in its graph as there are (up to 16), since
// a single small run leaves most of the GPU idle.
import type { Device } from '../config/stored.js';

export function defaultSplit(cores: number, device: Device): { jobs: number; threads: number; together: number } {
  return device === 'cpu' ? { jobs: cores, threads: 1, together: 1 } : { jobs: 1, threads: cores, together: 16 };
}
