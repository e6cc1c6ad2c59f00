// The safetensors format (https://github.com/huggingface/safetensors), F32 only: an 8-byte
// little-endian header length, a JSON header padded with spaces to a multiple of 8, then the raw
// tensor bytes. Chosen so a run's tensors open in Python with `safetensors.numpy.load_file`.
// Typed arrays and TextEncoder only, no Node modules: a browser writes and reads these files too.

/** A row-major float32 tensor. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** A file that is not valid F32 safetensors, or tensors that cannot be encoded. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const METADATA_KEY = '__metadata__';
const F32_BYTES = 4;
// The reference implementation refuses larger headers; a bigger length means a corrupt file.
const MAX_HEADER_BYTES = 100_000_000;

const fail = (message: string): never => {
  throw new SafetensorsError(message);
};

// Float32Array views use host byte order; the format is little-endian.
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN_HOST) fail('big-endian hosts are not supported');
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Encodes tensors in the order given (Object.entries order). `metadata` becomes `__metadata__`,
 * written first in the header as the reference implementation does; omitted when not given.
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  assertLittleEndianHost();
  // Null prototype: a tensor named "__proto__" must become a key, not replace the prototype.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') fail(`metadata "${key}" must be a string, got ${typeof value}`);
    }
    header[METADATA_KEY] = { ...metadata };
  }
  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, { shape, data }] of entries) {
    if (name === METADATA_KEY) fail(`"${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (!shape.every(isCount)) fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    if (elementCount(shape) !== data.length) {
      fail(`tensor "${name}" has shape [${shape.join(', ')}] but ${data.length} values`);
    }
    header[name] = { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces pad the header
  let position = 8 + headerLength;
  for (const [, { data }] of entries) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    position += data.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, info: unknown): Entry {
  if (!isPlainObject(info)) return fail(`tensor "${name}" has no {dtype, shape, data_offsets} entry`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (dtype !== 'F32') return fail(`tensor "${name}" has dtype ${JSON.stringify(dtype)}; only F32 is supported`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    return fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    return fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end - begin !== elementCount(shape) * F32_BYTES) {
    fail(`tensor "${name}" has shape [${shape.join(', ')}] but ${end - begin} data bytes`);
  }
  return { name, shape, begin, end };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    return fail(`"${METADATA_KEY}" must map strings to strings`);
  }
  return value as Record<string, string>;
}

/** Decodes F32 safetensors, copying the data; throws SafetensorsError on anything malformed. */
export function decodeSafetensors(buf: Uint8Array): Safetensors {
  assertLittleEndianHost();
  if (buf.length < 8) fail(`file is ${buf.length} bytes, too short for the 8-byte header length`);
  const declared = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  if (declared > BigInt(buf.length - 8)) {
    fail(`header length ${declared} exceeds the ${buf.length - 8} bytes that follow (truncated or not safetensors)`);
  }
  if (declared > BigInt(MAX_HEADER_BYTES)) fail(`header length ${declared} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(declared);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) fail('header is not a JSON object');

  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) metadata = parseMetadata(info);
    else entries.push(parseEntry(name, info));
  }

  // The tensors must tile the data section exactly, as the reference loader requires: a gap or
  // overlap means a corrupt header, a shortfall a truncated file.
  const dataStart = 8 + headerLength;
  const dataLength = buf.length - dataStart;
  let covered = 0;
  for (const { name, begin, end } of [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (begin !== covered) fail(`tensor "${name}" starts at byte ${begin}, expected ${covered} (gap or overlap)`);
    covered = end;
  }
  if (covered > dataLength) fail(`truncated: the tensors need ${covered} data bytes, the file has ${dataLength}`);
  if (covered < dataLength) fail(`${dataLength - covered} unexpected bytes after the last tensor`);

  const tensors = Object.fromEntries(
    entries.map(({ name, shape, begin, end }) => {
      // A copy: the source buffer may be pooled or unaligned for a Float32Array view.
      const bytes = new Uint8Array(end - begin);
      bytes.set(buf.subarray(dataStart + begin, dataStart + end));
      return [name, { shape, data: new Float32Array(bytes.buffer) }];
    }),
  );
  return { tensors, metadata };
}
