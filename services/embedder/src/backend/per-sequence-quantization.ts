import { DataType, defaultOpset, GraphEditor, tensorDims, tensorValues, type ModelProto, type NodeProto } from './onnx-model.js';

/**
 * Makes an int8 dynamic-quantized encoder batch-invariant.
 *
 * onnxruntime.quantization.quantize_dynamic writes every weight product as
 *   DynamicQuantizeLinear(x) -> MatMulInteger(xq, W, zp, Wzp) -> Cast -> Mul(·, x_scale·W_scale)
 * and DynamicQuantizeLinear picks ONE scale and zero point for the whole
 * tensor: over every text in the batch and every padding position. A text's
 * vector then depends on what it was batched with (cosine 0.993–0.997 alone
 * vs in a batch of 32 on multilingual-e5-small).
 *
 * This rewrite gives each sequence its own scale and zero point, computed
 * exactly as DynamicQuantizeLinear computes them but over that sequence's
 * real tokens only (padded positions are zeroed by the attention mask first;
 * zero is in the quantization range anyway). For a batch of one without
 * padding that is the very same scale and zero point as the original graph,
 * so vectors stay conformant to vectors made by the original export; in a
 * batch, a text gets the numbers it would get alone.
 *
 * onnxruntime's kernels take one activation zero point per tensor, so the
 * per-sequence zero point is taken out of the integer product:
 *   Σ_k (q−zp_b)(W−Wzp) = Σ_k q(W−Wzp) − zp_b·Σ_k (W−Wzp)
 * The first sum is com.microsoft MatMulIntegerToFloat with unit scales, the
 * second a per-column constant computed here from the weights. Both are
 * integers a float holds exactly (see `exact` in the result), so their
 * difference is the very integer the export's kernel computes; it is then
 * scaled by s_b·ws and biased in the export's order, and a sequence's
 * numbers come out bit for bit as the export computes them for it alone.
 * (Folding s_b into the product and correcting afterwards saves a pass but
 * rounds differently, and int8 rounding amplifies that: cosine ~0.997 to
 * the export's vectors after 12 layers, and measured no faster.)
 */

export type RewriteResult =
  | {
      rewritten: true;
      model: ModelProto;
      sites: number;
      products: number;
      /** Products whose integer sums provably fit a float's 24-bit mantissa (bit-exact); the rest are exact to float rounding. */
      exact: number;
    }
  | { rewritten: false; reason: string };

export interface Product {
  matmul: NodeProto;
  cast: NodeProto;
  scaleMul: NodeProto;
  /** Mul(dql_scale, W_scale): removed when only scaleMul reads it. */
  scalesMul: NodeProto;
  weight: string;
  weightZeroPoint?: string;
  weightScale: string;
  /** Output columns. */
  n: number;
}

export interface Site {
  dql: NodeProto;
  products: Product[];
}

const MS_DOMAIN = 'com.microsoft';

/** Rewrites the model in place when every dynamic quantization in it matches the pattern; otherwise says why not. */
export function perSequenceQuantization(model: ModelProto): RewriteResult {
  const g = new GraphEditor(model);
  const opset = defaultOpset(model);
  if (opset < 13) return { rewritten: false, reason: `opset ${opset} has no per-axis QuantizeLinear (needs 13+)` };
  if (!g.inputNames().includes('attention_mask')) return { rewritten: false, reason: 'the graph has no attention_mask input' };

  const sites = findDynamicQuantization(g);
  if (typeof sites === 'string') return { rewritten: false, reason: sites };

  // Shared: the attention mask as float [batch, seq, 1], to zero padded positions.
  const maskFloat = g.node('Cast', ['attention_mask'], { name: 'perseq/mask_cast', attrs: { to: DataType.FLOAT } });
  const axes2 = g.addInitializer('perseq/axes_2', DataType.INT64, [1], BigInt64Array.of(2n));
  const mask3 = g.node('Unsqueeze', [maskFloat.output![0], axes2], { name: 'perseq/mask_unsqueeze' });
  g.prepend([maskFloat, mask3]);
  const c = {
    mask: mask3.output![0],
    zero: g.addInitializer('perseq/zero', DataType.FLOAT, [], Float32Array.of(0)),
    one: g.addInitializer('perseq/one', DataType.FLOAT, [], Float32Array.of(1)),
    q255: g.addInitializer('perseq/qmax', DataType.FLOAT, [], Float32Array.of(255)),
    flat: g.addInitializer('perseq/flat', DataType.INT64, [1], BigInt64Array.of(-1n)),
    // Reduce* take axes as an input from opset 18, as an attribute before.
    reduceAxes: opset >= 18 ? g.addInitializer('perseq/reduce_axes', DataType.INT64, [2], BigInt64Array.of(1n, 2n)) : '',
  };

  let products = 0;
  let exact = 0;
  for (const site of sites) {
    const x = site.dql.input![0];
    const p = site.dql.name || x;
    const nodes: NodeProto[] = [];
    const op = (type: string, inputs: string[], name: string, attrs?: Record<string, number | number[]>, domain?: string) => {
      const n = g.node(type, inputs, { name: `${p}/perseq/${name}`, attrs, domain });
      nodes.push(n);
      return n.output![0];
    };
    // DynamicQuantizeLinear's own arithmetic, per sequence: range widened to
    // include 0, scale = range/255 (1 when the range is empty),
    // zp = round_half_even(clamp(-min/scale, 0, 255)).
    const masked = op('Mul', [x, c.mask], 'masked');
    const reduce = (type: string, name: string) =>
      opset >= 18 ? op(type, [masked, c.reduceAxes], name, { keepdims: 1 }) : op(type, [masked], name, { axes: [1, 2], keepdims: 1 });
    const lo = op('Min', [reduce('ReduceMin', 'min'), c.zero], 'lo');
    const hi = op('Max', [reduce('ReduceMax', 'max'), c.zero], 'hi');
    const range = op('Sub', [hi, lo], 'range');
    const empty = op('Equal', [range, c.zero], 'empty');
    const scale = op('Where', [empty, c.one, op('Div', [range, c.q255], 'range_div')], 'scale');
    const zpFloat = op('Round', [op('Clip', [op('Neg', [op('Div', [lo, scale], 'lo_div')], 'neg'), c.zero, c.q255], 'clip')], 'zp');
    const zpU8 = op('Cast', [zpFloat], 'zp_u8', { to: DataType.UINT8 });
    const q = op(
      'QuantizeLinear',
      [x, op('Reshape', [scale, c.flat], 'scale_1d'), op('Reshape', [zpU8, c.flat], 'zp_1d')],
      'quantize',
      { axis: 0 },
    );

    const removed: NodeProto[] = [site.dql];
    for (const prod of site.products) {
      products++;
      const name = prod.matmul.name || prod.matmul.output![0];
      removed.push(prod.matmul, prod.cast, prod.scaleMul, prod.scalesMul);
      // Scaled, then biased by the Add that follows, in MLAS's order: (acc·scale) + bias.
      const sums = columnSums(g, prod);
      if (sums.exact) exact++;
      const colsum = g.addInitializer(`${name}/perseq_colsum`, DataType.FLOAT, [prod.n], sums.colsum);
      const raw = op('MatMulIntegerToFloat', trimOptional([q, prod.weight, c.one, c.one, '', prod.weightZeroPoint ?? '']), `${name}_mmitf`, undefined, MS_DOMAIN);
      const centered = op('Sub', [raw, op('Mul', [zpFloat, colsum], `${name}_zp_colsum`)], `${name}_centered`);
      const scales = op('Mul', [scale, prod.weightScale], `${name}_scales`);
      nodes.push(g.node('Mul', [centered, scales], { name: `${p}/perseq/${name}_out`, outputs: [prod.scaleMul.output![0]] }));
    }
    g.replace(removed, nodes);
  }
  g.importDomain(MS_DOMAIN, 1);
  return { rewritten: true, model: g.finish(), sites: sites.length, products, exact };
}

/**
 * Every DynamicQuantizeLinear and the weight products that read it, or why
 * the graph does not follow quantize_dynamic's pattern. All or nothing: a
 * graph with one per-tensor site left would still be batch-dependent.
 */
export function findDynamicQuantization(g: GraphEditor): Site[] | string {
  const dqls = g.graphNodes.filter((n) => isOp(n, 'DynamicQuantizeLinear'));
  if (dqls.length === 0) return 'no DynamicQuantizeLinear in the graph (not a dynamic-quantized model)';
  const sites: Site[] = [];
  for (const dql of dqls) {
    const site = matchSite(g, dql);
    if (typeof site === 'string') return `${dql.name}: ${site}`;
    sites.push(site);
  }
  return sites;
}

function isOp(n: NodeProto, type: string): boolean {
  return n.opType === type && (!n.domain || n.domain === 'ai.onnx');
}

/** Drops trailing empty optional inputs (ONNX allows '' for skipped ones in between). */
function trimOptional(inputs: string[]): string[] {
  const out = [...inputs];
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

function matchSite(g: GraphEditor, dql: NodeProto): Site | string {
  const [q, scale, zp] = dql.output ?? [];
  if (!q || !scale || !zp) return 'DynamicQuantizeLinear without its three outputs';
  for (const v of [q, scale, zp]) if (g.isGraphOutput(v)) return `${v} is a graph output`;
  const matmuls = g.consumers(q);
  if (matmuls.length === 0) return 'quantized value unused';
  const products: Product[] = [];
  const scaleReaders = new Set<NodeProto>();
  for (const mm of matmuls) {
    if (!isOp(mm, 'MatMulInteger')) return `quantized value read by ${mm.opType}, not MatMulInteger`;
    const [a, w, azp, wzp] = mm.input ?? [];
    if (a !== q || (azp !== undefined && azp !== '' && azp !== zp)) return `${mm.name} does not read the quantized value as A with its zero point`;
    const weight = g.initializers.get(w);
    if (!weight || tensorDims(weight).length !== 2 || (weight.dataType !== DataType.INT8 && weight.dataType !== DataType.UINT8)) {
      return `${mm.name}: B is not a constant 2-D 8-bit initializer`;
    }
    if (wzp && !g.initializers.get(wzp)) return `${mm.name}: B zero point is not constant`;
    const casts = g.consumers(mm.output![0]);
    const cast = casts[0];
    if (casts.length !== 1 || !isOp(cast, 'Cast') || Number(cast.attribute?.find((a) => a.name === 'to')?.i) !== DataType.FLOAT) {
      return `${mm.name}: result is not cast to float once`;
    }
    const muls = g.consumers(cast.output![0]);
    const scaleMul = muls[0];
    if (muls.length !== 1 || !isOp(scaleMul, 'Mul')) return `${mm.name}: cast result is not scaled by one Mul`;
    const scalesName = scaleMul.input!.find((i) => i !== cast.output![0]);
    const scalesMul = scalesName ? g.producer(scalesName) : undefined;
    if (!scalesMul || !isOp(scalesMul, 'Mul') || !scalesMul.input!.includes(scale)) return `${mm.name}: scale is not Mul(activation scale, weight scale)`;
    const weightScale = scalesMul.input!.find((i) => i !== scale);
    const ws = weightScale ? g.initializers.get(weightScale) : undefined;
    const n = tensorDims(weight)[1];
    if (!ws || ws.dataType !== DataType.FLOAT || !isScalarOrLength(tensorDims(ws), n)) return `${mm.name}: weight scale is not a constant scalar or per-column vector`;
    if (g.consumers(scalesMul.output![0]).length !== 1) return `${mm.name}: combined scale has other readers`;
    if (wzp && !isScalarOrLength(tensorDims(g.initializers.get(wzp)!), n)) return `${mm.name}: weight zero point is neither scalar nor per column`;
    scaleReaders.add(scalesMul);
    products.push({ matmul: mm, cast, scaleMul, scalesMul, weight: w, weightZeroPoint: wzp || undefined, weightScale: weightScale!, n });
  }
  if (g.consumers(scale).some((n) => !scaleReaders.has(n))) return 'activation scale has readers other than the products';
  if (g.consumers(zp).some((n) => !matmuls.includes(n))) return 'activation zero point has readers other than the products';
  return { dql, products };
}

function isScalarOrLength(dims: number[], n: number): boolean {
  const size = dims.reduce((a, b) => a * b, 1);
  return size === 1 || (dims.length === 1 && dims[0] === n);
}

/**
 * Σ_k (W[k,n] − Wzp[n]) per output column n: what one unit of activation zero
 * point adds to the integer product. `exact`: for any activations (0..255),
 * |Σ_k q(W−Wzp)| and |zp·colsum| stay below 2^24, so float holds them exactly.
 */
function columnSums(g: GraphEditor, prod: Product): { colsum: Float32Array; exact: boolean } {
  const wt = g.initializers.get(prod.weight)!;
  const [k, n] = tensorDims(wt);
  const w = tensorValues(wt) as Int8Array | Uint8Array;
  const zpT = prod.weightZeroPoint ? g.initializers.get(prod.weightZeroPoint) : undefined;
  const zp = zpT ? (tensorValues(zpT) as Int8Array | Uint8Array) : Int8Array.of(0);
  const sums = new Float64Array(n);
  const absSums = new Float64Array(n);
  for (let row = 0; row < k; row++) {
    const base = row * n;
    for (let col = 0; col < n; col++) {
      const v = w[base + col] - (zp.length === 1 ? zp[0] : zp[col]);
      sums[col] += v;
      absSums[col] += Math.abs(v);
    }
  }
  const limit = 2 ** 24;
  return { colsum: Float32Array.from(sums), exact: absSums.every((a) => a * 255 < limit) };
}
