// The snapshot analysis on onnxruntime-web's WebAssembly build (what a browser page runs), here in
// Node: the same measures as on onnxruntime-node to float32 rounding, the same counts exactly; and
// snapshot.ts reaches no Node-only module, so a browser bundle can take it.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuAnalyser } from '../../src/analysis/cpu.js';
import { SnapshotAnalyser, type AnalysisConfig, type SnapshotWeights } from '../../src/analysis/snapshot.js';
import { randomEmbedding } from '../../src/features/embedding.js';
import { Rng } from '../../src/features/rng.js';
import { webRuntime } from '../../src/train/ort-web.js';

const wasm = webRuntime(1);
const TOLERANCE = 1e-5;

/**
 * A random snapshot of N = 32, m = 8, k = 48: half the neurons random, half reading one feature
 * each (W1 row = 8 E[:, j], b1 = -7) so that some are monosemantic and the counts are not all zero.
 */
function snapshot(task: AnalysisConfig['task'], seed: number) {
  const cfg: AnalysisConfig = { N: 32, m: 8, k: 48, nonlinearity: 'ReLU', task };
  const { N, m, k } = cfg;
  const rng = new Rng(seed);
  const gaussian = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
  const E = randomEmbedding(N, m, rng);
  const W1 = gaussian(k * m, 1 / Math.sqrt(m));
  const b1 = gaussian(k, 0.3);
  for (let n = k / 2; n < k; n++) {
    const j = n % N;
    for (let i = 0; i < m; i++) W1[n * m + i] = 8 * E[i * N + j]!;
    b1[n] = -7;
  }
  const out = task === 're-projector' ? m : N;
  const weights: SnapshotWeights = { W1, b1, W2: gaussian(out * k, 1 / Math.sqrt(k)) };
  return { cfg, weights, embeddings: { E, F: task === 're-projector' ? randomEmbedding(N, m, rng) : undefined } };
}

/** Max |web - node| over the largest |node|, both finite; NaN (an unranked neuron's score) must
 * sit at the same places. */
function expectClose(web: Float32Array | Float64Array, node: Float32Array | Float64Array, where: string): void {
  expect(web.length, where).toBe(node.length);
  let d = 0;
  let scale = 0;
  for (let i = 0; i < node.length; i++) {
    expect(Number.isNaN(web[i]!), `${where}[${i}] NaN`).toBe(Number.isNaN(node[i]!));
    if (Number.isNaN(node[i]!)) continue;
    d = Math.max(d, Math.abs(web[i]! - node[i]!));
    scale = Math.max(scale, Math.abs(node[i]!));
  }
  expect(scale === 0 ? d : d / scale, where).toBeLessThan(TOLERANCE);
}

/** Float arrays to float32 rounding; everything else (counts, shapes, orders, features) exactly. */
function expectSame(web: unknown, node: unknown, where: string): void {
  if (node instanceof Float32Array || node instanceof Float64Array) {
    expect(web, where).toBeInstanceOf(node.constructor);
    expectClose(web as typeof node, node, where);
  } else if (typeof node === 'object' && node !== null && !ArrayBuffer.isView(node)) {
    const w = web as Record<string, unknown>;
    expect(Object.keys(w), where).toEqual(Object.keys(node));
    for (const [key, value] of Object.entries(node)) expectSame(w[key], value, `${where}.${key}`);
  } else {
    expect(web, where).toEqual(node);
  }
}

/** The same calls on the WASM and the Node analyser. */
async function onBoth<T>(
  cfg: AnalysisConfig,
  monoMinActivation: number | undefined,
  fn: (a: SnapshotAnalyser) => Promise<T>,
): Promise<{ web: T; node: T }> {
  const web = new SnapshotAnalyser(cfg, { runtime: wasm, monoMinActivation });
  const node = cpuAnalyser(cfg, { threads: 1, monoMinActivation });
  try {
    return { web: await fn(web), node: await fn(node) };
  } finally {
    await web.release();
    await node.release();
  }
}

describe('the snapshot analysis on onnxruntime-web (WebAssembly) against onnxruntime-node', () => {
  it.each(['ReLU', 'GeLU'] as const)('%s: SFA, ratios and the monosemanticity summary', async (nonlinearity) => {
    const { cfg, weights, embeddings } = snapshot('decoder', 1);
    const c = { ...cfg, nonlinearity };
    for (const floor of [undefined, 0.5]) {
      const { web, node } = await onBoth(c, floor, async (a) => ({
        sfa: await a.singleFeatureActivations(weights, embeddings.E),
        summary: await a.monosemanticity(weights, embeddings.E),
      }));
      expect(node.summary.monosemantic_neurons).toBeGreaterThan(0);
      expect(web.summary).toEqual(node.summary);
      expectSame(web.sfa, node.sfa, `${nonlinearity} sfa`);
    }
  });

  it.each([
    { task: 'decoder', nonlinearity: 'ReLU' },
    { task: 'decoder', nonlinearity: 'GeLU' },
    { task: 're-projector', nonlinearity: 'ReLU' },
    { task: 're-projector', nonlinearity: 'GeLU' },
  ] as const)('$task, $nonlinearity: the full analysis', async ({ task, nonlinearity }) => {
    const { cfg, weights, embeddings } = snapshot(task, 2);
    const opts = { extraFeatures: [3, 5], amplitudeFeatures: [0, 7, 20], amplitudes: 11 };
    const { web, node } = await onBoth({ ...cfg, nonlinearity }, undefined, (a) =>
      a.analyse(weights, embeddings, opts),
    );
    expect(node.monosemantic_neurons).toBeGreaterThan(0);
    expectSame(web, node, `${task} ${nonlinearity}`);
  });
});

describe('snapshot.ts in a browser', () => {
  /** Every module specifier a TypeScript source imports or re-exports, type-only ones included. */
  const specifiers = (source: string) =>
    [
      ...source.matchAll(/\b(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g),
    ].map((match) => match[1] ?? match[2]!);

  it('reaches no Node built-in, onnxruntime-node nor webgpu through its imports', () => {
    const root = path.resolve('src/analysis/snapshot.ts');
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
        else if (
          spec.startsWith('node:') ||
          builtinModules.includes(spec) ||
          /^(onnxruntime-node|webgpu)(\/|$)/.test(spec)
        )
          bad.push(`${path.relative('.', file)} imports ${spec}`);
      }
    };
    visit(root);
    // The walk did follow the imports.
    expect([...seen].map((f) => path.relative('.', f))).toEqual(
      expect.arrayContaining(['src/analysis/snapshot-graph.ts', 'src/train/ort-engine.ts', 'src/graph/builder.ts']),
    );
    expect(bad).toEqual([]);
  });
});
