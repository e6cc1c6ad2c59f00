import { describe, expect, it } from 'vitest';
import { SafetensorsError, decodeSafetensors, encodeSafetensors, type Tensor } from '../../src/store/safetensors.js';

/** The encoder's bytes (a plain Uint8Array, for browsers) as a Buffer view, for reading them here. */
function encode(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Buffer {
  const bytes = encodeSafetensors(tensors, metadata);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A file with a hand-written header, for malformed-input cases the encoder refuses to produce. */
function withHeader(header: unknown, data: Uint8Array = new Uint8Array(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

const f32 = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe('safetensors', () => {
  it('writes the exact byte layout of a tiny tensor', () => {
    const buf = encode({ a: { shape: [2], data: new Float32Array([1, -2]) } });
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes, padded to 56
    const expected = Buffer.concat([
      Buffer.from('3800000000000000', 'hex'),
      Buffer.from(`${header}  `, 'latin1'),
      Buffer.from('0000803f000000c0', 'hex'), // 1.0 and -2.0, little-endian
    ]);
    expect(buf.toString('hex')).toBe(expected.toString('hex'));
  });

  it('round-trips shapes, values and metadata, aligning the data to 8 bytes', () => {
    const tensors = {
      'embedding.E': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      scalar: { shape: [], data: new Float32Array([Math.PI]) },
      empty: { shape: [0, 5], data: new Float32Array(0) },
      'würfel.3d': { shape: [2, 1, 2], data: new Float32Array([-0, Infinity, NaN, 1e-30]) },
    };
    const metadata = { format: 'toymodels-run-1', snapshots: '0,1,3', note: 'ünïcödé' };
    const buf = encode(tensors, metadata);
    const headerLength = Number(buf.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    expect(buf.length).toBe(8 + headerLength + 4 * (6 + 1 + 0 + 4));

    const decoded = decodeSafetensors(buf);
    expect(Object.keys(decoded.tensors)).toEqual(Object.keys(tensors));
    expect(decoded.tensors).toEqual(tensors);
    expect(decoded.metadata).toEqual(metadata);
  });

  it('lays tensors out in the order given and omits absent metadata', () => {
    const buf = encode({
      z: { shape: [1], data: new Float32Array([1]) },
      a: { shape: [1], data: new Float32Array([2]) },
    });
    const header = JSON.parse(buf.subarray(8, 8 + Number(buf.readBigUInt64LE(0))).toString());
    expect(header).toEqual({
      z: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    });
  });

  it('reads tensors by their offsets, whatever the header order, from an unaligned buffer', () => {
    const file = withHeader(
      {
        __metadata__: { k: 'v' },
        a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      },
      f32(10, 20),
    );
    const unaligned = Buffer.concat([Buffer.from([0]), file]).subarray(1);
    const { tensors, metadata } = decodeSafetensors(unaligned);
    expect(tensors.a!.data).toEqual(new Float32Array([20]));
    expect(tensors.b!.data).toEqual(new Float32Array([10]));
    expect(metadata).toEqual({ k: 'v' });
  });

  it('copies the data instead of aliasing the file buffer', () => {
    const buf = encode({ a: { shape: [1], data: new Float32Array([1]) } });
    const { tensors } = decodeSafetensors(buf);
    buf.fill(0);
    expect(tensors.a!.data[0]).toBe(1);
  });

  it('rejects every truncation of a valid file', () => {
    const buf = encode({ a: { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { m: 'x' });
    for (let n = 0; n < buf.length; n++) {
      expect(() => decodeSafetensors(buf.subarray(0, n)), `length ${n}`).toThrow(SafetensorsError);
    }
    expect(() => decodeSafetensors(buf.subarray(0, buf.length - 1))).toThrow(/truncated/);
  });

  it.each([
    ['a too-short file', Buffer.from([1, 2, 3]), /too short/],
    ['a header longer than the file', Buffer.from('ff00000000000000', 'hex'), /exceeds/],
    [
      'a header that is not JSON',
      Buffer.concat([Buffer.from('0800000000000000', 'hex'), Buffer.from('{"a":1,,')]),
      /not valid UTF-8 JSON/,
    ],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('0200000000000000', 'hex'), Buffer.from([0xff, 0xfe])]),
      /not valid UTF-8 JSON/,
    ],
    ['a header that is not an object', withHeader([1, 2]), /not a JSON object/],
    [
      'another dtype',
      withHeader({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /dtype "F16"; only F32/,
    ],
    [
      'a size that does not match the shape',
      withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(1, 2)),
      /shape \[3\] but 8 data bytes/,
    ],
    ['a bad shape', withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /invalid shape/],
    ['reversed offsets', withHeader({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }), /invalid data_offsets/],
    [
      'overlapping tensors',
      withHeader(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        f32(1, 2),
      ),
      /gap or overlap/,
    ],
    [
      'a gap before a tensor',
      withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)),
      /gap or overlap/,
    ],
    [
      'trailing bytes',
      withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1, 2)),
      /4 unexpected bytes/,
    ],
    ['non-string metadata', withHeader({ __metadata__: { a: 1 } }), /must map strings to strings/],
  ])('rejects %s', (_name, buf, message) => {
    expect(() => decodeSafetensors(buf)).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(buf)).toThrow(message);
  });

  it('refuses to encode inconsistent tensors', () => {
    expect(() => encodeSafetensors({ a: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /shape \[2, 2\] but 3 values/,
    );
    expect(() => encodeSafetensors({ a: { shape: [1.5], data: new Float32Array(1) } })).toThrow(/invalid shape/);
    expect(() => encodeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } })).toThrow(/reserved/);
  });
});
