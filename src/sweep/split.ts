// How a sweep splits the cores between parallel runs when not told: measured on a 2-core machine
// for a k=1024 batch (docs/benchmarks.md, "jobs x threads").
export function defaultSplit(cores: number): { jobs: number; threads: number } {
  return { jobs: 1, threads: cores };
}
