// The `toymodels` command: one file per subcommand; this one wires them and maps errors to
// one-line messages and exit codes.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/schema.js';
import { StoreError } from '../store/errors.js';
import { DeviceError } from '../train/device.js';
import { PACKAGE_VERSION } from '../config/version.js';
import { EXIT_FAILURE, EXIT_USAGE, fail, UsageError } from './errors.js';
import { analyseCommand } from './analyse.js';
import { batchCommand } from './batch.js';
import { collectCommand } from './collect.js';
import { importCommand } from './import.js';
import { mergeCommand } from './merge.js';
import { overviewCommand } from './overview.js';
import { reportCommand } from './report.js';
import { runsCommand } from './runs.js';
import { serveCommand } from './serve.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

export function program(): Command {
  const cmd = new Command('toymodels')
    .description('Train and analyse the toy models of "Engineering Monosemanticity in Toy Models"')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error: ') ? `toymodels: ${s.slice(7)}` : s),
    })
    .showSuggestionAfterError(true);
  cmd.addCommand(trainCommand());
  cmd.addCommand(sweepCommand());
  cmd.addCommand(batchCommand());
  cmd.addCommand(workerCommand());
  cmd.addCommand(collectCommand());
  cmd.addCommand(runsCommand());
  cmd.addCommand(mergeCommand());
  cmd.addCommand(importCommand());
  cmd.addCommand(reportCommand());
  cmd.addCommand(overviewCommand());
  cmd.addCommand(analyseCommand());
  cmd.addCommand(serveCommand());
  for (const sub of cmd.commands) sub.exitOverride().configureOutput(cmd.configureOutput());
  return cmd;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line error otherwise.
      process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (e instanceof ConfigError || e instanceof UsageError || e instanceof StoreError || e instanceof DeviceError)
      fail(e.message, EXIT_USAGE);
    // Anything else is our failure, not the user's: still one line, no stack trace (set
    // TOYMODELS_DEBUG=1 for it).
    if (process.env.TOYMODELS_DEBUG) throw e;
    fail(e instanceof Error ? e.message.split('\n')[0]! : String(e), EXIT_FAILURE);
  }
}
