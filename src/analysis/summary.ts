// The summary a run stores (summary.json, and the index's final metrics): its outcome, final loss
// windows and the final snapshot's measures. Pure, so that a run trained in a browser is summarised
// exactly as one trained by the CLI.
import type { RunSummary } from '../config/stored.js';
import type { TrainResult } from '../train/loop.js';
import { finalLoss, FINAL_LOSS_RECORDS, lossWindow } from './loss.js';
import type { MonosemanticitySummary } from './snapshot.js';

/** SPEC.md's final data loss: the mean of the last 8 recorded losses. */
export function finalDataLoss(losses: number[]): number {
  return lossWindow(losses, FINAL_LOSS_RECORDS).mean;
}

/** A run's summary from its training result and its final snapshot's measures. */
export function runSummary(result: TrainResult, metrics: MonosemanticitySummary): RunSummary {
  const loss = finalLoss(result.losses.loss, result.status === 'diverged');
  return {
    status: result.status,
    ...(result.divergedAtStep !== undefined ? { diverged_at_step: result.divergedAtStep } : {}),
    data_loss: loss.last8.mean,
    data_loss_se: loss.last8.se,
    data_loss_last64: loss.last64.mean,
    data_loss_last64_se: loss.last64.se,
    monosemantic_neurons: metrics.monosemantic_neurons,
    monosemantic_per_feature: metrics.monosemantic_per_feature,
    features_covered: metrics.features_covered,
    dead_neurons: metrics.dead_neurons,
    mean_bias: metrics.mean_bias,
    samples_per_second: result.samplesPerSecond,
    seconds: result.seconds,
  };
}
