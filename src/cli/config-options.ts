// Every run-config field becomes a CLI flag under the seed's name, with its description and default
// taken from the schema, so `--help` and validation can never drift from the config itself.
import { Option, type Command } from 'commander';
import { parseNumberFlag } from '../config/numbers.js';
import {
  CONFIG_FIELDS,
  isNumericField,
  parseRunConfig,
  runConfigSchema,
  type ConfigField,
  type RunConfig,
} from '../config/schema.js';

function defaultText(field: ConfigField): string {
  const value = runConfigSchema.shape[field].parse(undefined);
  return field === 'eps' ? `${value} (1/64)` : String(value);
}

export function addConfigOptions(cmd: Command, fields: readonly ConfigField[] = CONFIG_FIELDS): Command {
  for (const field of fields) {
    const schema = runConfigSchema.shape[field];
    // No commander default: an absent flag stays absent, so the schema alone fills defaults.
    cmd.addOption(new Option(`--${field} <value>`, `${schema.description ?? field} (default: ${defaultText(field)})`));
  }
  return cmd;
}

/** Reads the config flags a command received, converts numbers, validates, fills defaults. */
export function configFromOptions(opts: Record<string, unknown>): RunConfig {
  const input: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) {
    const raw = opts[field];
    if (raw === undefined) continue;
    input[field] = isNumericField(field) ? parseNumberFlag(field, String(raw)) : raw;
  }
  return parseRunConfig(input);
}
