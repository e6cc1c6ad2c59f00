// `npm run bench`: the full training step (sampling, forward, backward, LAMB, records) at the
// paper's size, N=512, m=64, k=1024, for batch 2^8, 2^10 and 2^13, beside two PyTorch programs
// measured in the same invocation: the fast peer (../shared/reference/torch_fast.py, the same
// algorithm written for speed: the one to compare with) and the oracle (torch_reference.py, written
// to be obviously right). For each batch size the engine, the fast peer, the oracle and the sgemm
// rate torch's BLAS reaches on the step's three k x N products take turns, twice (the second round
// in reverse order, so a drift in the machine's load falls on all of them), and the best of the two
// counts. The dense limit is that sgemm rate over 3.54 MFLOP a sample. Then where a step spends its
// time. Prints the BLAS torch uses and the machine, and writes the figures into docs/benchmarks.md.
// `--quick` runs shorter (less stable) measurements.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { parseRunConfig } from '../src/config/schema.js';
import { fastPeerAvailable, oracleAvailable, PYTHON, runFastPeer, runOracle } from './oracle.js';
import { replaceSection } from './report-file.js';
import { FLOP_PER_SAMPLE, profileStep } from './step-profile.js';

const THREADS = 2;
const BATCHES = [8, 10, 13];
const ROUNDS = 2;
const N = 512;
const K = 1024;
const quick = process.argv.includes('--quick');
const root = path.resolve(import.meta.dirname, '../..');
const t0 = performance.now();

/** The machine, for the record: CPU model, cores, memory, and whether it is a virtual machine. */
function machine(): string {
  let virtual = false;
  try {
    virtual = /^flags\s*:.*\bhypervisor\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // not Linux: leave it out
  }
  const n = cpus().length;
  return `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${n} core${n === 1 ? '' : 's'}, ${Math.round(totalmem() / 2 ** 30)} GiB${virtual ? ', virtual machine' : ''}`;
}

interface BlasProbe {
  torch: string;
  torch_threads: number;
  blas: { name: string; path: string | null; libraries: string[]; threads: number | null };
  gemm: { log2_batch_size: number; ms_per_step: number; gflops: number }[];
}

/** bench/blas.py: the BLAS torch maps, and the sgemm GFLOP/s of a step's three k x N products at batch 2^log2B. */
function probeBlas(log2B: number): BlasProbe {
  const script = path.join(root, 'bench/blas.py');
  const args = [
    script,
    '--N',
    String(N),
    '--k',
    String(K),
    '--log2_batch_sizes',
    String(log2B),
    '--seconds',
    quick ? '0.2' : '0.4',
  ];
  return JSON.parse(execFileSync(PYTHON, args, { encoding: 'utf8' })) as BlasProbe;
}

function engine(cfg: object): { samples_per_second: number; peak_rss_mb: number } {
  return JSON.parse(
    execFileSync(process.execPath, [path.join(root, 'dist/bench/train-one.js'), JSON.stringify(cfg), String(THREADS)], {
      encoding: 'utf8',
    }),
  );
}

interface Row {
  log2B: number;
  engine: number[];
  peakMb: number;
  fast: number[];
  oracle: number[];
  gflops: number[];
}

const best = (xs: number[]): number | undefined => (xs.length ? Math.max(...xs) : undefined);
const fmt = (x: number | undefined, digits = 0): string => (x === undefined ? 'n/a' : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a !== undefined && b ? a / b : undefined;
/** Samples/s that the sgemm rate allows at 3.54 MFLOP a sample. */
const denseLimit = (gflops: number | undefined): number | undefined =>
  gflops === undefined ? undefined : (gflops * 1e9) / FLOP_PER_SAMPLE;
/** "best (other)" for a table cell. */
const measured = (xs: number[], digits = 0): string =>
  xs.length === 0
    ? 'n/a'
    : `${fmt(best(xs), digits)}${
        xs.length > 1
          ? ` (${xs
              .filter((_, i) => i !== xs.indexOf(best(xs)!))
              .map((x) => x.toFixed(digits))
              .join(', ')})`
          : ''
      }`;

// Every program trains the same number of samples a measurement: 2^19 (2^17 with --quick).
const log2Samples = quick ? 17 : 19;
const withOracle = oracleAvailable();
const withFast = fastPeerAvailable();
const withTorch = withOracle || withFast;
if (!withTorch)
  console.log(
    `PyTorch: ${PYTHON} has no torch (apt-get install python3-torch libopenblas0-pthread) or ../shared/reference is missing; engine figures only`,
  );
else if (!withFast) console.log('fast peer: ../shared/reference/torch_fast.py is missing');
else if (!withOracle) console.log('oracle: ../shared/reference/torch_reference.py is missing');

const host = machine();
const loadBefore = loadavg()[0]!;
console.log(`machine: ${host}; 1-minute load average ${loadBefore.toFixed(2)} before the run`);

let blas: BlasProbe | undefined;
const rows: Row[] = [];
for (const log2B of BATCHES) {
  const cfg = { log2_batch_size: log2B, log2_training_steps: Math.max(3, log2Samples - log2B), learning_rate: 0.003 };
  const runCfg = parseRunConfig(cfg);
  const row: Row = { log2B, engine: [], peakMb: 0, fast: [], oracle: [], gflops: [] };
  const turns: (() => void)[] = [
    () => {
      const out = engine(cfg);
      row.engine.push(out.samples_per_second);
      row.peakMb = Math.max(row.peakMb, out.peak_rss_mb);
    },
    ...(withFast ? [() => void row.fast.push(runFastPeer(runCfg).samples_per_second)] : []),
    ...(withOracle ? [() => void row.oracle.push(runOracle(runCfg).samples_per_second)] : []),
    ...(withTorch
      ? [
          () => {
            const probe = probeBlas(log2B);
            if (!blas) {
              blas = probe;
              console.log(
                `oracle BLAS: ${probe.blas.name}${probe.blas.path ? `, ${probe.blas.path}` : ''}; torch ${probe.torch}, ${probe.torch_threads} intra-op thread${probe.torch_threads === 1 ? '' : 's'}`,
              );
            }
            row.gflops.push(probe.gemm[0]!.gflops);
          },
        ]
      : []),
  ];
  for (let round = 0; round < ROUNDS; round++) for (const turn of round % 2 ? [...turns].reverse() : turns) turn();
  rows.push(row);
  const e = best(row.engine)!;
  const limit = denseLimit(best(row.gflops));
  console.log(
    `batch 2^${log2B}: engine ${measured(row.engine)} samples/s, ${((e * FLOP_PER_SAMPLE) / 1e9).toFixed(1)} GFLOP/s, peak ${row.peakMb.toFixed(0)} MB` +
      (withFast ? `; fast peer ${measured(row.fast)}, engine/fast peer ${fmt(ratio(e, best(row.fast)), 2)}` : '') +
      (withOracle ? `; oracle ${measured(row.oracle)}, engine/oracle ${fmt(ratio(e, best(row.oracle)), 2)}` : '') +
      (limit
        ? `; sgemm ${measured(row.gflops, 1)} GFLOP/s, dense limit ${limit.toFixed(0)} samples/s, engine at ${((100 * e) / limit).toFixed(0)}% of it`
        : ''),
  );
}

const profile = await profileStep(parseRunConfig({ log2_batch_size: 10 }), THREADS, 128);
const total = profile.byOp.reduce((a, [, ms]) => a + ms, 0);
console.log(
  `step at batch 2^10: ${profile.runMs.toFixed(2)} ms through session.run, sampler ${profile.samplerMs.toFixed(3)} ms`,
);
for (const [op, ms] of profile.byOp.slice(0, 10)) console.log(`  ${op.padEnd(16)} ${ms.toFixed(3)} ms`);
const loadAfter = loadavg()[0]!;
const minutes = (performance.now() - t0) / 60000;
// Other work on the machine before the run (its own processes come after) makes every figure noisy.
const loaded = loadBefore > 0.5;
const loadNote = loaded
  ? ` The machine was busy with other work (1-minute load average ${loadBefore.toFixed(2)} on ${cpus().length} cores before the run): these figures are noisy and do not stand for an idle machine.`
  : '';

// One sentence at batch 2^10, the figure README quotes.
const main = rows.find((r) => r.log2B === 10)!;
const mainEngine = best(main.engine)!;
const mainLimit = denseLimit(best(main.gflops));
const date = new Date().toISOString().slice(0, 10);
const summary =
  `At batch 2^10 the engine trained ${mainEngine.toFixed(0)} samples/s` +
  (withFast ? `, ${fmt(ratio(mainEngine, best(main.fast)), 2)}× the fast peer` : '') +
  (withOracle ? ` and ${fmt(ratio(mainEngine, best(main.oracle)), 2)}× the oracle` : '') +
  (mainLimit
    ? `, ${((100 * mainEngine) / mainLimit).toFixed(0)}% of this machine's dense limit (${mainLimit.toFixed(0)} samples/s)`
    : '') +
  ` (${host}, ${date}).${loadNote}`;
console.log(summary);

const table = [
  '| batch | engine samples/s | GFLOP/s | peak memory | fast peer samples/s | oracle samples/s | engine ÷ fast peer | engine ÷ oracle | sgemm GFLOP/s | dense limit samples/s | engine ÷ dense limit |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => {
    const e = best(r.engine)!;
    const limit = denseLimit(best(r.gflops));
    return `| 2^${r.log2B} | ${measured(r.engine)} | ${((e * FLOP_PER_SAMPLE) / 1e9).toFixed(1)} | ${r.peakMb.toFixed(0)} MB | ${measured(r.fast)} | ${measured(r.oracle)} | ${fmt(ratio(e, best(r.fast)), 2)} | ${fmt(ratio(e, best(r.oracle)), 2)} | ${measured(r.gflops, 1)} | ${fmt(limit)} | ${limit ? `${((100 * e) / limit).toFixed(0)}%` : 'n/a'} |`;
  }),
];
const ops = [
  '| where | ms per step | share of kernel time |',
  '|---|---|---|',
  ...profile.byOp
    .filter(([, ms]) => ms >= 0.01)
    .map(([op, ms]) => `| ${op} | ${ms.toFixed(3)} | ${((100 * ms) / total).toFixed(1)}% |`),
  `| sampler (JavaScript, outside ORT) | ${profile.samplerMs.toFixed(3)} | - |`,
];
const blasLine = blas
  ? `PyTorch here: torch ${blas.torch} from \`${PYTHON}\`, ${blas.torch_threads} intra-op thread${blas.torch_threads === 1 ? '' : 's'} (its default), BLAS ${blas.blas.name}${blas.blas.path ? `, \`${blas.blas.path}\`` : ''}.`
  : 'PyTorch: not available here, engine figures only.';
replaceSection(
  path.join(root, 'docs/benchmarks.md'),
  'bench:engine',
  `Measured ${date} by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${host}; 1-minute load average ${loadBefore.toFixed(2)} before the run and ${loadAfter.toFixed(2)} after it (the run itself adds up to ${THREADS}), ${minutes.toFixed(1)} minutes in all. N=512, m=64, k=1024, decoder, ReLU, LAMB, ${THREADS} ORT threads. Samples/s covers the whole training loop (sampling, forward, backward, LAMB, bias decay, loss records), 2^${log2Samples} samples a measurement for each program. For each batch size the engine, the fast peer (\`torch_fast.py\`), the oracle (\`torch_reference.py\`), both with torch's default threading, and the sgemm probe (\`bench/blas.py\`) took turns, twice, the second round in reverse order; each cell shows the best of the two, the other in parentheses, and the ratios use the best. GFLOP/s counts 3.54 MFLOP a sample. The sgemm column is the rate torch's BLAS reaches on a step's three k x N products at that batch (float32, \`torch.mm\` as \`torch_fast.py\` calls it), and the dense limit is that rate over 3.54 MFLOP a sample. Peak memory is the training process's maximum resident set.

${blasLine}

${summary}

${table.join('\n')}

Where one step at batch 2^10 spends its time (ORT's profiler, kernel time per operator type, summed over the step's nodes; ${profile.runMs.toFixed(2)} ms a step through \`session.run\` without the profiler):

${ops.join('\n')}`,
);
console.log(`wrote docs/benchmarks.md (${minutes.toFixed(1)} minutes)`);
