// A small typed builder over the ONNX protobuf: names values, adds nodes, and encodes a model
// that onnxruntime loads from memory (IR 8, opset 17, as measured to work with ORT 1.30).
import onnxProto, { type onnx } from 'onnx-proto';

const proto = onnxProto.onnx;

export type Dim = number | string;
export type ElemType = 'float32' | 'float64' | 'int64' | 'bool';
type Attr = number | number[] | string | { graph: onnx.IGraphProto };

const ELEM: Record<ElemType, number> = {
  float32: proto.TensorProto.DataType.FLOAT,
  float64: proto.TensorProto.DataType.DOUBLE,
  int64: proto.TensorProto.DataType.INT64,
  bool: proto.TensorProto.DataType.BOOL,
};

function valueInfo(name: string, type: ElemType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: Attr): onnx.IAttributeProto {
  const T = proto.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === 'object') return { name, type: T.GRAPH, g: value.graph };
  return Number.isInteger(value) && !Object.is(value, -0)
    ? { name, type: T.INT, i: value }
    : { name, type: T.FLOAT, f: value };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;
  /** Values renamed by `output`, so later nodes that name the old value still find it. */
  private readonly renamed = new Map<string, string>();

  /** `prefix` keeps a subgraph's value names apart from its parent's, which it can read. */
  constructor(
    readonly elemType: 'float32' | 'float64' = 'float32',
    private readonly prefix = '',
  ) {}

  input(name: string, dims: Dim[], type: ElemType = this.elemType): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Declares `value` a graph output called `name`. A node's result is renamed rather than copied
   * through an Identity node (a copy of a parameter-sized tensor every step is measurable).
   */
  output(value: string, name: string, dims: Dim[], type: ElemType = this.elemType): void {
    const producer = this.nodes.find((n) => n.output?.includes(value));
    const isOutputAlready = this.outputs.some((o) => o.name === value);
    if (producer && !isOutputAlready) {
      for (const n of this.nodes) {
        n.input = n.input?.map((i) => (i === value ? name : i));
        n.output = n.output?.map((o) => (o === value ? name : o));
      }
      this.renamed.set(value, name);
    } else {
      this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` });
    }
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** A constant tensor of the graph's float type (or int64 for shapes and axes). */
  constant(values: ArrayLike<number>, dims: number[], type: ElemType = this.elemType, name?: string): string {
    const tensorName = name ?? `${this.prefix}c${this.counter++}`;
    const tensor: onnx.ITensorProto = { name: tensorName, dims, dataType: ELEM[type] };
    if (type === 'float32') tensor.rawData = new Uint8Array(Float32Array.from(values).buffer);
    else if (type === 'float64') tensor.rawData = new Uint8Array(Float64Array.from(values).buffer);
    else if (type === 'int64') tensor.rawData = new Uint8Array(BigInt64Array.from(Array.from(values, BigInt)).buffer);
    else throw new Error(`constant of type ${type} is not supported`);
    this.initializers.push(tensor);
    return tensorName;
  }

  scalar(value: number, type: ElemType = this.elemType): string {
    return this.constant([value], [], type);
  }

  /** Adds a node and returns the names of its outputs. */
  nodeN(op: string, inputs: string[], nOutputs: number, attrs: Record<string, Attr> = {}, domain = ''): string[] {
    const output = Array.from({ length: nOutputs }, () => `${this.prefix}v${this.counter++}`);
    this.nodes.push({
      opType: op,
      domain,
      input: inputs.map((i) => this.renamed.get(i) ?? i),
      output,
      name: `${op}_${output[0]}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.nodeN(op, inputs, 1, attrs)[0]!;
  }

  graph(name: string): onnx.IGraphProto {
    return { name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers };
  }

  /** The encoded model, ready for `InferenceSession.create(bytes)`. */
  encode(name: string): Uint8Array {
    const model = proto.ModelProto.create({
      irVersion: 8,
      producerName: 'toymodels',
      opsetImport: [{ domain: '', version: 17 }],
      graph: this.graph(name),
    });
    return proto.ModelProto.encode(model).finish();
  }
}
