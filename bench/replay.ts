// Same-data replay: the engine's run with its exact embeddings, initial parameters and batches
// written to a folder, so that bench/replay_oracle.py can run the PyTorch oracle's update rule on
// identical inputs and compare step by step. Seeds draw different numbers in the two programs;
// this removes that difference and leaves only float32 rounding.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../src/config/schema.js';
import { featureProbabilities } from '../src/features/distributions.js';
import { Rng } from '../src/features/rng.js';
import { FeatureSampler } from '../src/features/sampler.js';
import { initialParams } from '../src/train/init.js';
import { CHUNK, chunkLength, makeEmbeddings, train } from '../src/train/loop.js';

/** Draws what `train` draws, in the same order, then trains; writes inputs and results to `dir`. */
export async function dumpReplay(cfg: RunConfig, dir: string): Promise<void> {
  const rng = new Rng(cfg.seed);
  const emb = makeEmbeddings(cfg, rng);
  const init = initialParams(cfg, rng);
  const sampler = new FeatureSampler(featureProbabilities(cfg.N, cfg.task === 'abs' ? cfg.eps / 2 : cfg.eps, cfg.sample_kind), rng);
  const T = 2 ** cfg.log2_training_steps;
  const B = 2 ** cfg.log2_batch_size;
  const batches = new Float32Array(T * B * cfg.N);
  const chunk = new Float32Array(CHUNK * B * cfg.N);
  for (let first = 0; first < T; ) {
    const K = chunkLength(first, T);
    if (cfg.task === 'abs') sampler.sampleDifference(chunk, K * B);
    else sampler.sample(chunk, K * B);
    batches.set(chunk.subarray(0, K * B * cfg.N), first * B * cfg.N);
    first += K;
  }
  const result = await train(cfg, { threads: 2 });
  const write = (name: string, a: Float32Array) => writeFileSync(path.join(dir, `${name}.bin`), a);
  write('E', emb.E);
  if (emb.F) write('F', emb.F);
  for (const p of ['W1', 'b1', 'W2'] as const) {
    write(p, init[p]);
    write(`${p}_final`, result.params[p]);
  }
  write('v', batches);
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ config: cfg, losses: result.losses }));
}
