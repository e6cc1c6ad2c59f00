// A progress bar on stderr (never stdout, which carries only results); silent when stderr is not a terminal.
import cliProgress from 'cli-progress';
import type { Progress } from '../train/loop.js';

export function progressBar(): { update: (p: Progress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'step {value}/{total} |{bar}| {rate} steps/s | loss {loss} | ETA {eta_formatted}',
      etaBuffer: 50,
      fps: 5,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = performance.now();
  let started = false;
  return {
    update: (p) => {
      const payload = { loss: p.loss.toPrecision(4), rate: ((p.step * 1000) / (performance.now() - start)).toFixed(1) };
      if (!started) {
        bar.start(p.steps, p.step, payload);
        started = true;
      } else bar.update(p.step, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
