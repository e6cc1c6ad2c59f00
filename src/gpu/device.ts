// A WebGPU device for the engine, from any `GPU` object: `navigator.gpu` in a browser, or the one
// the `webgpu` package gives Node (node-gpu.ts). Only the standard API is used here, so the
// engine's modules run unchanged in both.
/// <reference types="@webgpu/types" />

/** A device with the adapter's own storage-buffer and workgroup limits, which are higher than
 * WebGPU's defaults on every real GPU (the defaults cap a binding at 128 MiB). */
export async function requestGpuDevice(gpu: GPU): Promise<GPUDevice> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter was found (a GPU with Vulkan, Metal or D3D12 drivers is needed)');
  const l = adapter.limits;
  return adapter.requestDevice({
    // Timestamps time each kernel for the benchmark's roofline; training never needs them.
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  });
}
