// `--device`, shared by the commands that train: parsed, then checked on the machine before any
// run starts, so a missing GPU is one line and exit code 2 rather than a failed sweep.
import { Option, type Command } from 'commander';
import { DEVICES, type Device } from '../config/stored.js';
import { ensureDevice } from '../train/device.js';
import { UsageError } from './errors.js';

export function addDeviceOption(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--device <name>',
      'where runs train: cpu (the ONNX graphs on ONNX Runtime) or webgpu (our WGSL kernels on a GPU, through Vulkan, Metal or D3D12)',
    ).default('cpu'),
  );
}

export async function deviceFromOptions(opts: Record<string, unknown>): Promise<Device> {
  const value = String(opts.device ?? 'cpu');
  if (!(DEVICES as readonly string[]).includes(value))
    throw new UsageError(`--device: ${JSON.stringify(value)} is not allowed: must be ${DEVICES.join(' or ')}`);
  await ensureDevice(value as Device);
  return value as Device;
}
