// `toymodels worker`: trains runs from a job queue (filled by sweep/batch --queue) until stopped;
// Ctrl-C (or SIGTERM) hands the runs in progress back to the queue.
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { parseQueueAddress } from '../queue/address.js';
import { QueueWorker } from '../queue/job-worker.js';
import { deviceFromOptions } from './device-option.js';
import { EXIT_USAGE, fail } from './errors.js';
import { queueOption } from './queue-output.js';
import { parallelism, positiveInt } from './sweep-options.js';

const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

export function workerCommand(): Command {
  return new Command('worker')
    .description('train runs from a job queue (see sweep --queue) and deliver their results, until stopped with Ctrl-C')
    .addOption(queueOption())
    .addOption(new Option('--jobs <n>', 'runs trained at once (default: the measured best split of the cores)'))
    .addOption(new Option('--threads <n>', 'ORT threads per run (default: cores / jobs)'))
    .addOption(new Option('--device <name>', 'where the graphs run: cpu or webgpu').default('cpu'))
    .addOption(
      new Option(
        '--stall-timeout <seconds>',
        "how long a run's lock lasts unrenewed: a worker killed or cut off for this long loses its runs to the other workers",
      ).default('30'),
    )
    .action(async (opts: Record<string, unknown>) => {
      const address = parseQueueAddress(String(opts.queue));
      const device = await deviceFromOptions(opts);
      const { jobs, threads } = parallelism(opts, device);
      const stallSeconds = positiveInt('stall-timeout', opts.stallTimeout)!;
      const worker = new QueueWorker(address, {
        jobs,
        threads,
        device,
        stallSeconds,
        say: (line) => log(`${hostname()}: ${line}`),
        refused: (line) => fail(line, EXIT_USAGE),
      });
      await new Promise<void>((resolve) => {
        const stop = async (signal: string) => {
          log(`stopping (${signal})`);
          const returned = await worker.stop();
          log(`stopped; ${returned} run(s) handed back to the queue`);
          resolve();
          // Connections BullMQ still retries (Redis unreachable) would keep the process alive.
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
