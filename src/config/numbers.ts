import { ConfigError } from './schema.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Strict number parsing for flags: "1e-3" and "-1" pass; "", "0x10", "1/64" and "abc" do not. */
export function parseNumberFlag(field: string, raw: string): number {
  if (!NUMBER.test(raw.trim())) throw new ConfigError(field, raw, 'must be a number');
  return Number(raw);
}
