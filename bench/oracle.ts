// The PyTorch oracle (../shared/reference/torch_reference.py), run when /usr/bin/python3 has torch.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../src/config/schema.js';

export const ORACLE = path.resolve(import.meta.dirname, '../../../shared/reference/torch_reference.py');
const PYTHON = '/usr/bin/python3';

export interface OracleResult {
  samples_per_second: number;
  seconds: number;
  losses: number[];
  final_loss_mean_last_8: number;
  monosemantic_per_feature: number;
  mean_bias: number;
}

export function oracleAvailable(): boolean {
  return existsSync(ORACLE) && existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** The oracle takes the seed's task names. */
const SEED_TASK = { decoder: 'autoencoder', 're-projector': 'random_proj', abs: 'abs' } as const;

export function runOracle(cfg: RunConfig): OracleResult {
  const args = [
    ORACLE, '--N', cfg.N, '--m', cfg.m, '--k', cfg.k, '--eps', cfg.eps, '--log2_batch_size', cfg.log2_batch_size,
    '--log2_training_steps', cfg.log2_training_steps, '--learning_rate', cfg.learning_rate, '--sample_kind', cfg.sample_kind,
    '--task', SEED_TASK[cfg.task], '--decay', cfg.decay, '--initial_bias', cfg.initial_bias, '--nonlinearity', cfg.nonlinearity,
    '--reg', cfg.reg, '--seed', cfg.seed,
  ].map(String);
  return JSON.parse(execFileSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 28 })) as OracleResult;
}
