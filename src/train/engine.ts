// The engine interface: what trains a group of runs that share `graphKey`. The loop (loop.ts) draws
// each chunk's batches, hands them to an engine and keeps the records; the engine keeps every
// run's parameters and optimiser state between chunks. The CPU graphs (ort-engine.ts) implement
// it; test/engine/ checks every implementation against a float64 reference of SPEC.md.

/** Parameters and optimiser state of R runs by carried-tensor name (`carriedTensors`), runs stacked
 * along the first axis. */
export type CarriedState = Record<string, Float32Array>;

export interface Engine {
  /** Whether the engine draws its own samples: then the loop passes no `v` to `run`. */
  readonly drawsSamples: boolean;
  /**
   * Trains steps first .. first + K - 1 of every run on `v` (R x K x B x N: each run's K batches
   * back to back), or on samples it draws itself when `v` is absent, and returns the data losses
   * (K x R), each computed before its step's update. The engine derives each step's learning rate,
   * bias decay and step number from the runs' configurations and the step index.
   */
  run(first: number, K: number, v?: Float32Array): Promise<Float32Array>;
  /** The current carried tensors (async: a GPU engine reads them back). The arrays belong to the
   * engine: valid until the next `run` or `write`. */
  read(): Promise<CarriedState>;
  /** Replaces the carried tensors named in `state` (each of the full stacked size). */
  write(state: CarriedState): void;
  release(): Promise<void>;
}
