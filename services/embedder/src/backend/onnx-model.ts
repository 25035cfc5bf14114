import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

/**
 * Just enough ONNX model editing to rewrite a graph when it loads: decode,
 * look nodes and initializers up by name, add nodes and initializers with
 * unique names, encode. It works on onnx-proto's protobufjs types; raw
 * initializer bytes are kept as views of the file, so a 118 MB model is not
 * copied value by value.
 *
 * onnx-proto's generated decoder drops fields newer than ONNX 1.10; none of
 * them (node metadata, float8/int4 types) appear in the exports we load, and
 * a rewrite that fails to load falls back to the original file (onnx-runner).
 */
export const { onnx } = onnxProto;
export type NodeProto = O.INodeProto;
export type TensorProto = O.ITensorProto;
export type ModelProto = O.IModelProto;

export const DataType = onnx.TensorProto.DataType;
export const AttrType = onnx.AttributeProto.AttributeType;

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** The default-domain opset the model imports (what decides op signatures). */
export function defaultOpset(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? Number(entry.version) : 0;
}

export type AttrValue = number | number[] | { float: number };

export function attribute(name: string, value: AttrValue): O.IAttributeProto {
  if (typeof value === 'number') {
    // Plain numbers are ints; floats must be tagged or 1.0 would become INT.
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return { name, type: AttrType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: AttrType.INTS, ints: value };
  return { name, type: AttrType.FLOAT, f: value.float };
}

/** A constant tensor's values as numbers (float, int8, uint8, int32, int64), or undefined when it is another type. */
export function tensorValues(t: TensorProto): Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array | undefined {
  const raw = t.rawData;
  const count = (t.dims ?? []).reduce((n: number, d) => n * Number(d), 1);
  const view = <T>(ctor: new (b: ArrayBuffer, o: number, n: number) => T, bytes: number): T => {
    // Copy when the bytes are not aligned for the typed array (protobuf offsets are arbitrary).
    const copy = raw!.byteOffset % bytes === 0 ? raw! : Uint8Array.from(raw!);
    return new ctor(copy.buffer as ArrayBuffer, copy.byteOffset, count);
  };
  switch (t.dataType) {
    case DataType.FLOAT:
      return raw?.length ? view(Float32Array, 4) : Float32Array.from(t.floatData ?? []);
    case DataType.INT8:
      return raw?.length ? view(Int8Array, 1) : Int8Array.from(t.int32Data ?? []);
    case DataType.UINT8:
      return raw?.length ? view(Uint8Array, 1) : Uint8Array.from(t.int32Data ?? []);
    case DataType.INT32:
      return raw?.length ? view(Int32Array, 4) : Int32Array.from(t.int32Data ?? []);
    case DataType.INT64:
      return raw?.length ? view(BigInt64Array, 8) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(v.toString())));
    default:
      return undefined;
  }
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map(Number);
}

/**
 * An editable view of a model's main graph: name lookups that stay current
 * as nodes are replaced. Node order matters (ONNX wants a topological order),
 * so replacements are spliced in where the replaced node stood.
 */
export class GraphEditor {
  readonly initializers = new Map<string, TensorProto>();
  private readonly used = new Set<string>();
  private nodes: NodeProto[];

  constructor(readonly model: ModelProto) {
    const graph = model.graph;
    if (!graph) throw new Error('ONNX model has no graph');
    this.nodes = [...(graph.node ?? [])];
    for (const t of graph.initializer ?? []) this.initializers.set(t.name!, t);
    for (const n of this.nodes) {
      if (n.name) this.used.add(n.name);
      for (const o of n.output ?? []) this.used.add(o);
    }
    for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) this.used.add(v.name!);
    for (const name of this.initializers.keys()) this.used.add(name);
  }

  get graphNodes(): readonly NodeProto[] {
    return this.nodes;
  }

  inputNames(): string[] {
    return (this.model.graph!.input ?? []).map((i) => i.name!);
  }

  /** Nodes that read a value. */
  consumers(value: string): NodeProto[] {
    return this.nodes.filter((n) => (n.input ?? []).includes(value));
  }

  producer(value: string): NodeProto | undefined {
    return this.nodes.find((n) => (n.output ?? []).includes(value));
  }

  isGraphOutput(value: string): boolean {
    return (this.model.graph!.output ?? []).some((o) => o.name === value);
  }

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: string[], options: { name: string; outputs?: string[]; attrs?: Record<string, AttrValue>; domain?: string }): NodeProto {
    return {
      opType,
      domain: options.domain ?? '',
      name: this.unique(options.name),
      input: inputs,
      output: options.outputs ?? [this.unique(`${options.name}_out`)],
      attribute: Object.entries(options.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    };
  }

  addInitializer(base: string, dataType: number, dims: number[], data: Float32Array | Int32Array | Uint8Array | BigInt64Array): string {
    const name = this.unique(base);
    const t: TensorProto = { name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    this.initializers.set(name, t);
    return name;
  }

  /**
   * Replaces `remove` with `insert`, placing the new nodes where the first
   * removed node stood (new nodes read what the first one read), or the last
   * (new nodes read values produced between the removed ones).
   */
  replace(remove: readonly NodeProto[], insert: readonly NodeProto[], at: 'first' | 'last' = 'first'): void {
    const gone = new Set(remove);
    const positions = this.nodes.flatMap((n, i) => (gone.has(n) ? [i] : []));
    if (positions.length === 0) throw new Error('replace: none of the nodes to remove is in the graph');
    const pos = at === 'first' ? positions[0] : positions[positions.length - 1];
    const before = this.nodes.filter((n, i) => i < pos && !gone.has(n));
    const after = this.nodes.filter((n, i) => i > pos && !gone.has(n));
    this.nodes = [...before, ...insert, ...after];
  }

  remove(nodes: readonly NodeProto[]): void {
    const gone = new Set(nodes);
    this.nodes = this.nodes.filter((n) => !gone.has(n));
  }

  /** Puts nodes at the very start (for values derived from graph inputs only). */
  prepend(insert: readonly NodeProto[]): void {
    this.nodes = [...insert, ...this.nodes];
  }

  /** Writes nodes and initializers back into the model and returns it. */
  finish(): ModelProto {
    const graph = this.model.graph!;
    graph.node = this.nodes;
    graph.initializer = [...this.initializers.values()];
    return this.model;
  }

  /** Makes sure the model imports a domain (e.g. com.microsoft for contrib ops). */
  importDomain(domain: string, version: number): void {
    const imports = (this.model.opsetImport ??= []);
    if (!imports.some((o) => o.domain === domain)) imports.push({ domain, version });
  }
}
