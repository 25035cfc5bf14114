import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

/**
 * A minimal ONNX graph builder over onnx-proto's protobufjs types. It only
 * knows what the encoder needs; the point is that the graph is written in
 * the same op vocabulary as a torch export + onnxruntime quantize_dynamic, so
 * onnxruntime applies the same fusions and the fixture costs what the real
 * model costs.
 */
export const { onnx } = onnxProto;

const DataType = onnx.TensorProto.DataType;
export type ElemType = 'float' | 'int8' | 'uint8' | 'int64';

const ELEM: Record<ElemType, number> = {
  float: DataType.FLOAT,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  int64: DataType.INT64,
};

export type AttrValue = number | number[] | { float: number };

export interface NodeOptions {
  /** Number of outputs (default 1) or explicit output names. */
  outputs?: number | string[];
  attrs?: Record<string, AttrValue>;
}

/** Raw little-endian bytes of a typed array, as raw_data wants them. */
function rawBytes(data: Float32Array | Int8Array | Uint8Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function attribute(name: string, value: AttrValue): O.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    // Plain numbers are ints; floats must be tagged, or 1.0 would silently
    // become INT and onnxruntime would reject e.g. LayerNormalization.epsilon.
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return { name, type: T.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return { name, type: T.FLOAT, f: value.float };
}

export class GraphBuilder {
  readonly nodes: O.INodeProto[] = [];
  readonly initializers: O.ITensorProto[] = [];
  private readonly inputs: O.IValueInfoProto[] = [];
  private readonly outputs: O.IValueInfoProto[] = [];
  private readonly used = new Set<string>();

  /** Unique value/node names; a repeated name would make the graph invalid. */
  private unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  input(name: string, elem: ElemType, dims: (number | string)[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  output(name: string, elem: ElemType, dims: (number | string)[]): void {
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** Adds a node and returns its output names. */
  node(opType: string, name: string, inputs: string[], options: NodeOptions = {}): string[] {
    const nodeName = this.unique(name);
    const outs = options.outputs ?? 1;
    const outputNames = Array.isArray(outs)
      ? outs.map((o) => (this.used.add(o), o))
      : Array.from({ length: outs }, (_, i) => this.unique(`${nodeName}_output_${i}`));
    this.nodes.push({
      opType,
      name: nodeName,
      input: inputs,
      output: outputNames,
      attribute: Object.entries(options.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    });
    return outputNames;
  }

  /** Single-output shorthand. */
  op(opType: string, name: string, inputs: string[], attrs?: Record<string, AttrValue>): string {
    return this.node(opType, name, inputs, { attrs })[0];
  }

  initializer(
    name: string,
    elem: ElemType,
    dims: number[],
    data: Float32Array | Int8Array | Uint8Array | BigInt64Array,
  ): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dataType: ELEM[elem], dims, rawData: rawBytes(data) });
    return unique;
  }

  floatConst(name: string, values: number[] | number, dims?: number[]): string {
    const arr = typeof values === 'number' ? [values] : values;
    return this.initializer(name, 'float', dims ?? (typeof values === 'number' ? [] : [arr.length]), Float32Array.from(arr));
  }

  int64Const(name: string, values: number[] | number, dims?: number[]): string {
    const arr = typeof values === 'number' ? [values] : values;
    const data = BigInt64Array.from(arr.map((v) => BigInt(v)));
    return this.initializer(name, 'int64', dims ?? (typeof values === 'number' ? [] : [arr.length]), data);
  }

  toModel(graphName: string, docString: string): O.IModelProto {
    return {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'polysearch-model-fixture',
      producerVersion: '1',
      docString,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }
}

function valueInfo(name: string, elem: ElemType, dims: (number | string)[]): O.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function encodeModel(model: O.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
