// `npm run bench:queue`: what the job queue costs. Runs the same sweep (LR1's six learning rates at
// k=1024, short runs) three ways on this machine and reports total samples/s: trained here (the
// default split), and through a local redis-server with 1 worker (the default split) and with 2
// workers (the cores split between them). Each result crosses Redis twice (worker to Redis to
// collector), so the difference is the queue's overhead. `-- --steps S --batch B` sets the runs'
// size (2^B x 2^S samples; default 2^10 x 2^9). Writes its section of docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { RedisServer } from './redis-server.js';
import { replaceSection } from './report-file.js';
import { timeSweep } from './sweep-timing.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/toymodels.js');
const cores = availableParallelism();
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const steps = arg('steps', 9);
const batch = arg('batch', 10);
const sweep = ['batch', 'LR1', '--log2_batch_size', String(batch), '--log2_training_steps', String(steps)];

/** The sweep through the queue with `workers` worker processes, started (and connected) first. */
async function timeQueued(workers: number): Promise<{ seconds: number; samples: number }> {
  const redis = await RedisServer.start();
  const jobs = Math.max(1, Math.floor(cores / workers));
  const procs = Array.from({ length: workers }, () =>
    spawn(process.execPath, [bin, 'worker', '--queue', redis.url(), '--jobs', String(jobs), '--threads', '1'], {
      stdio: 'ignore',
    }),
  );
  try {
    await new Promise((r) => setTimeout(r, 3000)); // start-up: Node, ORT and the connection
    return timeSweep([...sweep, '--queue', redis.url()]);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await redis.close();
  }
}

const rows: [string, { seconds: number; samples: number }][] = [];
const measure = (label: string, r: { seconds: number; samples: number }) => {
  console.log(`${label}: ${r.seconds.toFixed(1)} s, ${(r.samples / r.seconds).toFixed(0)} samples/s`);
  rows.push([label, r]);
};
measure(`here, ${cores} jobs x 1 thread`, timeSweep(sweep));
measure(`queue, 1 worker x ${cores} jobs`, await timeQueued(1));
const half = Math.floor(cores / 2);
if (cores > 1) measure(`queue, 2 workers x ${half} job${half > 1 ? 's' : ''}`, await timeQueued(2));

const lines = ['| where | wall time | total samples/s | vs here |', '|---|---|---|---|'];
const base = rows[0]![1];
for (const [label, r] of rows) {
  lines.push(
    `| ${label} | ${r.seconds.toFixed(1)} s | ${(r.samples / r.seconds).toFixed(0)} | ${(r.samples / r.seconds / (base.samples / base.seconds)).toFixed(2)} |`,
  );
}
replaceSection(
  path.join(root, 'docs/benchmarks.md'),
  'bench:queue',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:queue${steps !== 9 || batch !== 10 ? ` -- --batch ${batch} --steps ${steps}` : ''}\` on ${cores} cores: LR1 (k=1024, six learning rates) at batch 2^${batch}, 2^${steps} steps a run (${(((steps + 1) * 2363392 + 131072) / 1e6).toFixed(1)} MB of run files each), trained here and through a local redis-server; wall time from the command's start to its summary, workers already connected.

${lines.join('\n')}`,
);
