// Child process of the benchmarks: one training run in a fresh process (so peak memory is its own),
// printing its figures as one JSON line. Usage: node dist/bench/train-one.js '<config json>' <threads>
import { parseRunConfig } from '../src/config/schema.js';
import { train } from '../src/train/loop.js';

const cfg = parseRunConfig(JSON.parse(process.argv[2] ?? '{}'));
const threads = Number(process.argv[3] ?? 2);
const r = await train(cfg, { threads });
process.stdout.write(
  `${JSON.stringify({ samples_per_second: r.samplesPerSecond, seconds: r.seconds, peak_rss_mb: process.resourceUsage().maxRSS / 1024, losses: r.losses.loss, mean_bias: r.params.b1.reduce((a, b) => a + b, 0) / cfg.k })}\n`,
);
