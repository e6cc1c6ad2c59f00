// The PyTorch oracle (../shared/reference/torch_reference.py), run when /usr/bin/python3 has torch,
// and the fast peer (../shared/reference/torch_fast.py): the same algorithm written for speed, with
// the same flags and the same JSON keys. The oracle is written to be obviously right; the fast peer
// is the one to compare speed with.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../src/config/schema.js';

/** The references live in ../shared/reference beside the checkout; a copy of the checkout on another
 * machine (the device tool's) carries them as shared/reference inside it. */
const REFERENCE_DIR =
  [
    path.resolve(import.meta.dirname, '../../../shared/reference'),
    path.resolve(import.meta.dirname, '../../shared/reference'),
  ].find((dir) => existsSync(dir)) ?? path.resolve(import.meta.dirname, '../../../shared/reference');
export const ORACLE = path.join(REFERENCE_DIR, 'torch_reference.py');
export const FAST_PEER = path.join(REFERENCE_DIR, 'torch_fast.py');
/** Debian's python3 with python3-torch; TOYMODELS_PYTHON names another (a GPU machine's CUDA torch). */
export const PYTHON = process.env.TOYMODELS_PYTHON ?? '/usr/bin/python3';

export interface OracleResult {
  samples_per_second: number;
  seconds: number;
  losses: number[];
  final_loss_mean_last_8: number;
  monosemantic_per_feature: number;
  mean_bias: number;
}

function torchAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

export function oracleAvailable(): boolean {
  return existsSync(ORACLE) && torchAvailable();
}

export function fastPeerAvailable(): boolean {
  return existsSync(FAST_PEER) && torchAvailable();
}

/** The oracle takes the seed's task names. */
const SEED_TASK = { decoder: 'autoencoder', 're-projector': 'random_proj', abs: 'abs' } as const;

function referenceArgs(cfg: RunConfig): string[] {
  return [
    '--N',
    cfg.N,
    '--m',
    cfg.m,
    '--k',
    cfg.k,
    '--eps',
    cfg.eps,
    '--log2_batch_size',
    cfg.log2_batch_size,
    '--log2_training_steps',
    cfg.log2_training_steps,
    '--learning_rate',
    cfg.learning_rate,
    '--sample_kind',
    cfg.sample_kind,
    '--task',
    SEED_TASK[cfg.task],
    '--decay',
    cfg.decay,
    '--initial_bias',
    cfg.initial_bias,
    '--nonlinearity',
    cfg.nonlinearity,
    '--reg',
    cfg.reg,
    '--seed',
    cfg.seed,
  ].map(String);
}

function runReference(script: string, cfg: RunConfig, extra: string[] = []): OracleResult {
  return JSON.parse(
    execFileSync(PYTHON, [script, ...referenceArgs(cfg), ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 }),
  ) as OracleResult;
}

export function runOracle(cfg: RunConfig): OracleResult {
  return runReference(ORACLE, cfg);
}

/** torch_fast.py with torch's default threading, as the oracle runs; on a CUDA card with `device`. */
export function runFastPeer(cfg: RunConfig, device: 'cpu' | 'cuda' = 'cpu'): OracleResult {
  return runReference(FAST_PEER, cfg, device === 'cpu' ? [] : ['--device', device]);
}
