// Every run-config field becomes a CLI flag under the seed's name, with its description and default
// taken from the schema, so `--help` and validation can never drift from the config itself.
import { Option, type Command } from 'commander';
import { CONFIG_FIELDS, ConfigError, parseRunConfig, runConfigSchema, type ConfigField, type RunConfig } from '../config/schema.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Strict number parsing: "1e-3" and "-1" pass, "", "0x10", "1,5" and "abc" do not. */
export function parseNumberFlag(field: string, raw: string): number {
  if (!NUMBER.test(raw.trim())) throw new ConfigError(field, raw, 'must be a number');
  return Number(raw);
}

function isNumeric(field: ConfigField): boolean {
  return typeof runConfigSchema.shape[field].parse(undefined) === 'number';
}

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
    input[field] = isNumeric(field) ? parseNumberFlag(field, String(raw)) : raw;
  }
  return parseRunConfig(input);
}
