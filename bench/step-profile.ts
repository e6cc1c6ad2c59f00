// Where a training step spends its time: runs the step graph with ORT's profiler on a fixed batch
// and sums kernel time per operator, next to the sampler's time per batch.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { batchSize, type RunConfig } from '../src/config/schema.js';
import { buildStepModel, carriedTensors, nextName, type StepLoop } from '../src/graph/step.js';
import { createSession, type Device } from '../src/train/device.js';
import { CHUNK } from '../src/train/loop.js';
import { RunInputs } from '../src/train/run-inputs.js';

/** A step's dense work at the paper's size (N=512, m=64, k=1024): its products k x (N + m), three
 * times (forward, two backward), 2 FLOPs a multiply-add: 6 k (N + m) = 3.54 MFLOP a sample. */
export const FLOP_PER_SAMPLE = 6 * 1024 * (512 + 64);

export interface StepProfile {
  /** ms per step by operator type, largest first (kernel time, as ORT's profiler reports it). */
  byOp: [string, number][];
  kernelMs: number;
  /** ms per step through session.run (chunks of CHUNK steps), measured outside the profiler. */
  runMs: number;
  samplerMs: number;
}

export async function profileStep(
  cfg: RunConfig,
  threads: number,
  steps: number,
  device: Device = 'cpu',
  loop: StepLoop['kind'] = 'scan',
): Promise<StepProfile> {
  const B = batchSize(cfg);
  const inputs = new RunInputs(cfg);
  const { embeddings: emb, init } = inputs;
  const v = new Float32Array(CHUNK * B * cfg.N);
  let t0 = performance.now();
  for (let i = 0; i < steps / CHUNK; i++) inputs.nextSamples(v, CHUNK * B);
  const samplerMs = (performance.now() - t0) / steps;

  const dir = mkdtempSync(path.join(tmpdir(), 'toymodels-prof-'));
  const model = buildStepModel([cfg], [emb], loop === 'scan' ? { kind: 'scan' } : { kind: 'unrolled', K: CHUNK });
  let carried: Record<string, ort.Tensor> = Object.fromEntries(
    carriedTensors(cfg, 1).map(({ name, shape }) => [
      name,
      new ort.Tensor(
        'float32',
        name in init ? init[name as keyof typeof init] : new Float32Array(shape.reduce((a, b) => a * b, 1)),
        shape,
      ),
    ]),
  );
  const perStep = (x: number) => new ort.Tensor('float32', new Float32Array(CHUNK).fill(x), [CHUNK, 1]);
  const feeds = {
    v: new ort.Tensor('float32', v, [1, CHUNK, B, cfg.N]),
    lr: perStep(cfg.learning_rate),
    t: new ort.Tensor('float32', new Float32Array(CHUNK).fill(1), [CHUNK]),
    bias_scale: perStep(1),
  };
  const runAll = async (session: ort.InferenceSession) => {
    for (let i = 0; i < steps / CHUNK; i++) {
      const out = await session.run({ ...feeds, ...carried });
      carried = Object.fromEntries(carriedTensors(cfg, 1).map(({ name }) => [name, out[nextName(name)] as ort.Tensor]));
    }
  };
  const plain = await createSession(model, device, threads);
  await runAll(plain);
  t0 = performance.now();
  await runAll(plain);
  const runMs = (performance.now() - t0) / steps;
  await plain.release();

  // ORT's profiler times kernels on the CPU provider; a GPU provider's kernels run asynchronously.
  if (device !== 'cpu') return { byOp: [], kernelMs: NaN, runMs, samplerMs };
  const profiled = await createSession(model, device, threads, {
    enableProfiling: true,
    profileFilePrefix: path.join(dir, 'step'),
  });
  await runAll(profiled);
  profiled.endProfiling();
  await profiled.release();
  const events = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]!), 'utf8')) as {
    cat: string;
    name: string;
    dur: number;
    args: { op_name?: string };
  }[];
  if (!process.env.KEEP_PROFILE) rmSync(dir, { recursive: true, force: true });
  else console.log('profile kept in', dir);
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.args.op_name === 'Scan') continue;
    const op = e.args.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur / 1000 / steps);
  }
  const sorted = [...byOp.entries()].sort((a, b) => b[1] - a[1]);
  return { byOp: sorted, kernelMs: sorted.reduce((a, [, ms]) => a + ms, 0), runMs, samplerMs };
}
