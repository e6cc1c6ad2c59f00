// What the step model is made of: which runs may share one, and how a chunk's steps are laid out.
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/config/schema.js';
import { buildStepModel, graphKey } from '../../src/graph/step.js';

const base = { N: 8, m: 4, k: 6, log2_batch_size: 2, log2_training_steps: 4 };
const E = new Float32Array(4 * 8).fill(0.5);

describe('graphKey', () => {
  it('lets runs that differ in per-run values share a graph, but not AdamW runs with different weight decay', () => {
    const key = (c: object) => graphKey(parseRunConfig({ ...base, ...c }));
    expect(key({ learning_rate: 0.1, decay: 0.03, initial_bias: -1, reg: 0.01, seed: 3, weight_decay: 0.5 })).toBe(
      key({}),
    );
    expect(key({ optimizer: 'adamw', weight_decay: 0.1 })).not.toBe(key({ optimizer: 'adamw', weight_decay: 0.2 }));
    expect(key({ optimizer: 'adam' })).not.toBe(key({}));
    expect(key({ k: 7 })).not.toBe(key({}));
  });
});

describe('buildStepModel', () => {
  const ops = (model: Uint8Array) => onnxProto.onnx.ModelProto.decode(model).graph!.node!.map((n) => n.opType);

  it('runs a chunk as one Scan, or writes its K steps out without one', () => {
    const cfg = parseRunConfig(base);
    expect(ops(buildStepModel([cfg], [{ E }]))).toContain('Scan');
    const unrolled = ops(buildStepModel([cfg], [{ E }], { kind: 'unrolled', K: 3 }));
    expect(unrolled).not.toContain('Scan');
    // Each step computes its own data loss; the K of them are concatenated once.
    expect(unrolled.filter((op) => op === 'ReduceSumSquare').length).toBeGreaterThanOrEqual(3);
    expect(unrolled.filter((op) => op === 'Concat')).toHaveLength(1);
  });

  it('refuses a re-projector without its target embedding F', () => {
    expect(() => buildStepModel([parseRunConfig({ ...base, task: 're-projector' })], [{ E }])).toThrow(
      /needs the second embedding F/,
    );
  });
});
