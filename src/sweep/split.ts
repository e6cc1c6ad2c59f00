// How a sweep splits the cores between parallel runs when not told. Measured on a 2-core machine
// for a k=1024 batch (docs/benchmarks.md, "Sweeps: splitting the cores"): one single-threaded run
// per core beat one run on both cores by 8-19% in total samples/s over three measurements, as the
// per-node thread synchronisation inside a step is gone and one run's sampling overlaps the
// other's maths.
export function defaultSplit(cores: number): { jobs: number; threads: number } {
  return { jobs: cores, threads: 1 };
}
