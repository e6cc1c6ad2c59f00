// Everything a run draws from its seed, in the order it draws it: the embeddings, the initial
// parameters, then the batches chunk by chunk, all from one generator. The training loop and the
// tests that replay a run's data (test/engine, bench/replay.ts) draw through this one class.
import type { RunConfig } from '../config/schema.js';
import { featureProbabilities } from '../features/distributions.js';
import { randomEmbedding } from '../features/embedding.js';
import { Rng } from '../features/rng.js';
import { FeatureSampler } from '../features/sampler.js';
import type { Embeddings } from '../graph/step.js';
import { initialParams, type Params } from './init.js';

function makeEmbeddings(cfg: RunConfig, rng: Rng): Embeddings {
  const E = randomEmbedding(cfg.N, cfg.m, rng);
  return cfg.task === 're-projector' ? { E, F: randomEmbedding(cfg.N, cfg.m, rng) } : { E };
}

export class RunInputs {
  readonly embeddings: Embeddings;
  readonly init: Params;
  private readonly sampler: FeatureSampler;

  constructor(readonly cfg: RunConfig) {
    const rng = new Rng(cfg.seed);
    this.embeddings = makeEmbeddings(cfg, rng);
    this.init = initialParams(cfg, rng);
    // The abs task subtracts two samples of frequency eps / 2 (SPEC.md, Tasks).
    const eps = cfg.task === 'abs' ? cfg.eps / 2 : cfg.eps;
    this.sampler = new FeatureSampler(featureProbabilities(cfg.N, eps, cfg.sample_kind), rng);
  }

  /**
   * Fills the first `rows` rows (N wide) of `v` with the next samples: K batches of B rows are K * B
   * independent rows, so one call fills a chunk. The sampler's buffer contract holds: `v` is this
   * run's own buffer, written only here.
   */
  nextSamples(v: Float32Array, rows: number): void {
    if (this.cfg.task === 'abs') this.sampler.sampleDifference(v, rows);
    else this.sampler.sample(v, rows);
  }
}
