// The --store flag every command that reads or writes runs takes, with the one default.
import { Option } from 'commander';
import { DEFAULT_STORE_DIR } from '../store/run-store.js';

export function storeOption(description = 'run store directory'): Option {
  return new Option('--store <dir>', description).default(DEFAULT_STORE_DIR);
}
