/**
 * Checks that SQL names the tenant of every tenant-scoped table it touches
 * (test-only; see store/tenant-tables.ts for why). Statements are parsed by
 * PostgreSQL's own parser (libpg-query, PG 15), so aliases, CTEs, subqueries
 * and OR-ed conditions are read as Postgres reads them, not guessed from text.
 *
 * How a table counts as keyed: each reference to a tenant-scoped table is a
 * node; equalities that are conjuncts of a WHERE or JOIN … ON (`x.tenant_id =
 * $1`, `p.tenant_id = d.tenant_id`, `USING (tenant_id)`) join nodes into
 * classes, across subqueries and CTEs (a CTE's or subquery's output tenant_id
 * joins the class of the column it selects). A class is
 * - `tenant` when it contains a parameter or literal: one tenant (on Citus a
 *   router query, one shard);
 * - `key-list` when it contains a set of keys (`unnest($1::text[]) AS
 *   k(tenant_id, …)`, `VALUES` with several rows, `= ANY($1)`, `IN (…)`): a
 *   batch of named tenants (on Citus a multi-shard statement that touches
 *   only the named tenants' rows, unless the batch has one tenant);
 * - `unkeyed` otherwise: the statement may read or write any tenant's rows.
 * An equality under OR or NOT does not count (`$1 IS NULL OR tenant_id = $1`
 * can match every tenant).
 *
 * Rules (each finding names one):
 * - `tenant-key`: a tenant-scoped table is unkeyed;
 * - `colocated-join`: two tenant-scoped tables in one query block are not in
 *   the same class (joined on something other than tenant_id);
 * - `single-tenant-lock`: a statement with FOR UPDATE/SHARE touches a table
 *   that is not keyed to one tenant (Citus runs row locks in single-shard
 *   queries only);
 * - `ddl`: a utility statement (CREATE/ALTER/DROP …) names a tenant-scoped
 *   table (migrations, which on Citus go with create_distributed_table).
 *
 * Not a planner: it reads keys from the statement's text, not from
 * parameter values (a key list with one tenant is still `key-list`), and a
 * predicate outside a MATERIALIZED CTE counts for the CTE's rows.
 */
import { loadModule, parseSync } from 'libpg-query';

export type Routing = 'tenant' | 'key-list' | 'unkeyed';
export type Rule = 'tenant-key' | 'colocated-join' | 'single-tenant-lock' | 'ddl';

export interface TableUse {
  table: string;
  alias: string;
  routing: Routing;
}

export interface Finding {
  rule: Rule;
  message: string;
}

export interface StatementAnalysis {
  kind: 'select' | 'insert' | 'update' | 'delete' | 'utility';
  /** Tenant-scoped tables the statement reads or writes, and how each is keyed. */
  tables: TableUse[];
  /** FOR UPDATE/SHARE anywhere in the statement. */
  locks: boolean;
  /** … with SKIP LOCKED (a work queue). */
  skipLocked: boolean;
  /** Some query block groups a tenant-scoped table by its tenant_id (a per-tenant aggregate). */
  groupsByTenant: boolean;
  findings: Finding[];
}

/** Loads the parser (WebAssembly) once; call before analyzeSql. */
export function loadSqlParser(): Promise<void> {
  return loadModule();
}

/** Analyzes every statement of `sql` (usually one). */
export function analyzeSql(sql: string, isTenantTable: (table: string) => boolean): StatementAnalysis[] {
  const parsed = parseSync(sql) as { stmts?: { stmt: PgNode }[] };
  return (parsed.stmts ?? []).map(({ stmt }) => new StatementAnalyzer(isTenantTable).run(stmt));
}

// ---------------------------------------------------------------------------

/** A parse-tree node as libpg-query returns it: `{ NodeType: { …fields } }`. */
type PgNode = Record<string, unknown>;
type Fields = Record<string, unknown>;

interface Source {
  key: string;
  alias: string;
  /** Set for a tenant-scoped table. */
  table?: string;
  /** Whether `alias.tenant_id` exists (tenant tables, key lists and derived tables that select it). */
  hasTenantColumn: boolean;
}

interface Block {
  parent?: Block;
  sources: Source[];
  /** CTE name → key of its tenant_id output (null: it has none). */
  ctes: Map<string, string | null>;
}

/** Output column keys of a query block, by position and by name. */
interface Outputs {
  byIndex: (string | undefined)[];
  tenant: string | undefined;
}

const nodeType = (n: unknown): string | undefined => (n && typeof n === 'object' ? Object.keys(n as object)[0] : undefined);
const fieldsOf = (n: unknown, type: string): Fields | undefined => (nodeType(n) === type ? ((n as PgNode)[type] as Fields) : undefined);
const list = (v: unknown): PgNode[] => (Array.isArray(v) ? (v as PgNode[]) : []);
/** The relation of INSERT/UPDATE/DELETE: RangeVar fields, not wrapped in a node. */
const relationOf = (n: unknown): Fields => (fieldsOf(n, 'RangeVar') ?? n ?? {}) as Fields;
const str = (n: unknown): string | undefined => fieldsOf(n, 'String')?.sval as string | undefined;

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(k: string): string {
    let root = this.parent.get(k) ?? k;
    if (root !== k) {
      root = this.find(root);
      this.parent.set(k, root);
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
  keys(): string[] {
    return [...this.parent.keys()];
  }
}

class StatementAnalyzer {
  private readonly uf = new UnionFind();
  /** Keys standing for a set of tenants (key lists). */
  private readonly keySets = new Set<string>();
  private readonly tenantSources: { source: Source; block: Block }[] = [];
  private readonly blocks: Block[] = [];
  private nextId = 0;
  private locks = false;
  private skipLocked = false;
  private groupsByTenant = false;

  constructor(private readonly isTenantTable: (table: string) => boolean) {}

  run(stmt: PgNode): StatementAnalysis {
    const type = nodeType(stmt);
    let kind: StatementAnalysis['kind'];
    if (type === 'SelectStmt') {
      kind = 'select';
      this.select(fieldsOf(stmt, type)!, undefined);
    } else if (type === 'InsertStmt') {
      kind = 'insert';
      this.insert(fieldsOf(stmt, type)!);
    } else if (type === 'UpdateStmt') {
      kind = 'update';
      this.modify(fieldsOf(stmt, type)!, 'fromClause');
    } else if (type === 'DeleteStmt') {
      kind = 'delete';
      this.modify(fieldsOf(stmt, type)!, 'usingClause');
    } else {
      return this.utility(stmt);
    }
    return this.verdict(kind);
  }

  // --- statements ----------------------------------------------------------

  private select(sel: Fields, parent: Block | undefined): Outputs {
    if (sel.op && sel.op !== 'SETOP_NONE') {
      const left = this.select(fieldsOf(sel.larg, 'SelectStmt') ?? {}, parent);
      const right = this.select(fieldsOf(sel.rarg, 'SelectStmt') ?? {}, parent);
      left.byIndex.forEach((k, i) => {
        const r = right.byIndex[i];
        if (k && r) this.uf.union(k, r);
      });
      return { byIndex: left.byIndex.map((k, i) => k ?? right.byIndex[i]), tenant: left.tenant ?? right.tenant };
    }
    const block = this.block(parent);
    this.withClause(sel.withClause, block);
    const conditions: unknown[] = [];
    for (const item of list(sel.fromClause)) this.fromItem(item, block, conditions);
    conditions.push(sel.whereClause);
    this.apply(conditions, block);
    for (const expr of [sel.targetList, sel.havingClause, ...conditions]) this.sublinks(expr, block);
    const locking = list(sel.lockingClause).map((n) => fieldsOf(n, 'LockingClause') ?? {});
    if (locking.length > 0) this.locks = true;
    if (locking.some((l) => l.waitPolicy === 'LockWaitSkip')) this.skipLocked = true;
    for (const g of list(sel.groupClause)) {
      const k = this.operand(g, block);
      if (k && this.tenantSources.some((t) => t.source.key === k)) this.groupsByTenant = true;
    }
    if (sel.valuesLists) return this.valuesOutputs(list(sel.valuesLists), block);
    return this.outputs(list(sel.targetList), block);
  }

  private insert(ins: Fields): void {
    const block = this.block(undefined);
    this.withClause(ins.withClause, block);
    const target = this.rangeVar(relationOf(ins.relation), block);
    const cols = list(ins.cols).map((c) => fieldsOf(c, 'ResTarget')?.name as string | undefined);
    const index = cols.indexOf('tenant_id');
    const select = fieldsOf(ins.selectStmt, 'SelectStmt');
    if (select && index >= 0) {
      const out = this.select(select, block);
      const k = out.byIndex[index];
      if (k) this.uf.union(target.key, k);
    }
    this.sublinks(ins.returningList, block);
  }

  /** UPDATE … FROM … WHERE and DELETE … USING … WHERE. */
  private modify(stmt: Fields, fromField: 'fromClause' | 'usingClause'): void {
    const block = this.block(undefined);
    this.withClause(stmt.withClause, block);
    this.rangeVar(relationOf(stmt.relation), block);
    const conditions: unknown[] = [];
    for (const item of list(stmt[fromField])) this.fromItem(item, block, conditions);
    conditions.push(stmt.whereClause);
    this.apply(conditions, block);
    for (const expr of [stmt.targetList, stmt.returningList, ...conditions]) this.sublinks(expr, block);
  }

  /** DDL and other utility statements: report the tenant-scoped tables they name. */
  private utility(stmt: PgNode): StatementAnalysis {
    const tables = new Set<string>();
    const visit = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(visit);
      if (!n || typeof n !== 'object') return;
      // RangeVar fields, wrapped in a node or not (CREATE INDEX's relation is not).
      const name = (n as Fields).relname;
      if (typeof name === 'string' && this.isTenantTable(name)) tables.add(name);
      for (const v of Object.values(n as Fields)) visit(v);
    };
    visit(stmt);
    return {
      kind: 'utility',
      tables: [...tables].map((table) => ({ table, alias: table, routing: 'unkeyed' as const })),
      locks: false,
      skipLocked: false,
      groupsByTenant: false,
      findings: [...tables].map((table) => ({ rule: 'ddl' as const, message: `${nodeType(stmt)} on tenant-scoped table ${table}` })),
    };
  }

  // --- FROM items ------------------------------------------------------------

  private block(parent: Block | undefined): Block {
    const b: Block = { parent, sources: [], ctes: new Map() };
    this.blocks.push(b);
    return b;
  }

  private withClause(w: unknown, block: Block): void {
    const clause = (w && typeof w === 'object' && 'ctes' in (w as Fields) ? w : fieldsOf(w, 'WithClause')) as Fields | undefined;
    for (const c of list(clause?.ctes)) {
      const cte = fieldsOf(c, 'CommonTableExpr');
      if (!cte) continue;
      const query = cte.ctequery as PgNode;
      const type = nodeType(query);
      let tenant: string | undefined;
      if (type === 'SelectStmt') tenant = this.select(fieldsOf(query, type)!, block).tenant;
      else if (type === 'InsertStmt') this.insert(fieldsOf(query, type)!);
      else if (type === 'UpdateStmt') this.modify(fieldsOf(query, type)!, 'fromClause');
      else if (type === 'DeleteStmt') this.modify(fieldsOf(query, type)!, 'usingClause');
      block.ctes.set(cte.ctename as string, tenant ?? null);
    }
  }

  /** Adds the sources of one FROM item to the block; returns them (for USING). */
  private fromItem(item: unknown, block: Block, conditions: unknown[]): Source[] {
    const type = nodeType(item);
    const f = type ? fieldsOf(item, type)! : {};
    if (type === 'RangeVar') return [this.rangeVar(f, block)];
    if (type === 'RangeFunction') {
      const alias = (f.alias as Fields | undefined) ?? {};
      const columns = list(alias.colnames).map(str);
      const source = this.addSource(block, (alias.aliasname as string) ?? 'function', columns.includes('tenant_id'));
      if (source.hasTenantColumn) this.keySets.add(source.key); // a set-returning function of keys: a key list
      return [source];
    }
    if (type === 'RangeSubselect') {
      const alias = (f.alias as Fields | undefined) ?? {};
      const columns = list(alias.colnames).map(str);
      const sub = fieldsOf(f.subquery, 'SelectStmt') ?? {};
      const out = this.select(sub, block);
      const index = columns.indexOf('tenant_id');
      const k = index >= 0 ? out.byIndex[index] : columns.length === 0 ? out.tenant : undefined;
      const source = this.addSource(block, (alias.aliasname as string) ?? 'subquery', k !== undefined);
      if (k) this.uf.union(source.key, k);
      return [source];
    }
    if (type === 'JoinExpr') {
      const left = this.fromItem(f.larg, block, conditions);
      const right = this.fromItem(f.rarg, block, conditions);
      conditions.push(f.quals);
      if (list(f.usingClause).map(str).includes('tenant_id')) {
        const keyed = [...left, ...right].filter((s) => s.hasTenantColumn);
        for (const s of keyed.slice(1)) this.uf.union(keyed[0].key, s.key);
      }
      return [...left, ...right];
    }
    return [];
  }

  private rangeVar(f: Fields, block: Block): Source {
    const name = f.relname as string;
    const alias = ((f.alias as Fields | undefined)?.aliasname as string | undefined) ?? name;
    if (!f.schemaname) {
      const cte = this.lookupCte(block, name);
      if (cte !== undefined) {
        const source = this.addSource(block, alias, cte !== null);
        if (cte) this.uf.union(source.key, cte);
        return source;
      }
    }
    if (this.isTenantTable(name)) {
      const source = this.addSource(block, alias, true, name);
      this.tenantSources.push({ source, block });
      return source;
    }
    return this.addSource(block, alias, false);
  }

  private addSource(block: Block, alias: string, hasTenantColumn: boolean, table?: string): Source {
    const source: Source = { key: `src:${this.nextId++}`, alias, table, hasTenantColumn };
    block.sources.push(source);
    this.uf.find(source.key);
    return source;
  }

  private lookupCte(block: Block | undefined, name: string): string | null | undefined {
    for (let b = block; b; b = b.parent) if (b.ctes.has(name)) return b.ctes.get(name);
    return undefined;
  }

  // --- expressions -------------------------------------------------------------

  /** The conjuncts of a boolean expression (AND only: an OR-ed equality binds nothing). */
  private conjuncts(expr: unknown): unknown[] {
    const b = fieldsOf(expr, 'BoolExpr');
    if (b?.boolop === 'AND_EXPR') return list(b.args).flatMap((a) => this.conjuncts(a));
    return expr ? [expr] : [];
  }

  private apply(conditions: unknown[], block: Block): void {
    for (const condition of conditions.flatMap((c) => this.conjuncts(c))) {
      const e = fieldsOf(condition, 'A_Expr');
      if (!e || list(e.name).map(str).join('.') !== '=') continue;
      if (e.kind === 'AEXPR_OP') {
        const l = this.operand(e.lexpr, block);
        const r = this.operand(e.rexpr, block);
        // Only equalities with a tenant_id column on one side (operand() resolves no other column).
        if (l && r && (l.startsWith('src:') || r.startsWith('src:'))) this.uf.union(l, r);
      } else if (e.kind === 'AEXPR_OP_ANY' || e.kind === 'AEXPR_IN') {
        const l = this.operand(e.lexpr, block);
        if (!l?.startsWith('src:')) continue;
        const items = list(fieldsOf(e.rexpr, 'List')?.items);
        const single = e.kind === 'AEXPR_IN' && items.length === 1 ? this.operand(items[0], block) : undefined;
        if (single) this.uf.union(l, single);
        else this.keySets.add(l);
      }
    }
  }

  /** Key of an equality operand: a tenant_id column (`src:n`), a parameter or a literal; undefined otherwise. */
  private operand(expr: unknown, block: Block): string | undefined {
    let e = expr;
    for (;;) {
      const cast = fieldsOf(e, 'TypeCast') ?? fieldsOf(e, 'CollateClause');
      if (!cast) break;
      e = cast.arg;
    }
    const param = fieldsOf(e, 'ParamRef');
    if (param) return `param:${param.number as number}`;
    const constant = fieldsOf(e, 'A_Const');
    if (constant) return `const:${JSON.stringify({ ...constant, location: undefined })}`;
    const ref = fieldsOf(e, 'ColumnRef');
    if (ref) return this.resolveTenantColumn(list(ref.fields).map(str), block)?.key;
    return undefined;
  }

  /** The source whose tenant_id a column reference names, looked up as Postgres scopes names. */
  private resolveTenantColumn(fields: (string | undefined)[], block: Block): Source | undefined {
    if (fields[fields.length - 1] !== 'tenant_id') return undefined;
    if (fields.length >= 2) {
      const alias = fields[fields.length - 2];
      for (let b: Block | undefined = block; b; b = b.parent) {
        const s = b.sources.find((x) => x.alias === alias);
        if (s) return s.hasTenantColumn ? s : undefined;
      }
      return undefined;
    }
    for (let b: Block | undefined = block; b; b = b.parent) {
      const candidates = b.sources.filter((s) => s.hasTenantColumn);
      if (candidates.length === 1) return candidates[0];
      if (candidates.length > 1) return undefined; // ambiguous: Postgres would refuse it
    }
    return undefined;
  }

  /** Subqueries inside expressions (scalar, EXISTS, IN): analyzed as blocks nested in `block`. */
  private sublinks(expr: unknown, block: Block): void {
    if (Array.isArray(expr)) return expr.forEach((e) => this.sublinks(e, block));
    if (!expr || typeof expr !== 'object') return;
    for (const [k, v] of Object.entries(expr as Fields)) {
      if (k === 'SubLink') {
        const sub = fieldsOf((v as Fields).subselect, 'SelectStmt');
        if (sub) this.select(sub, block);
        this.sublinks((v as Fields).testexpr, block);
        continue;
      }
      if (k === 'SelectStmt') continue; // reached only through FROM, handled there
      this.sublinks(v, block);
    }
  }

  private outputs(targets: PgNode[], block: Block): Outputs {
    const byIndex: (string | undefined)[] = [];
    let tenant: string | undefined;
    for (const t of targets) {
      const r = fieldsOf(t, 'ResTarget') ?? {};
      const k = this.operand(r.val, block);
      byIndex.push(k);
      const ref = fieldsOf(r.val, 'ColumnRef');
      const name = (r.name as string | undefined) ?? (ref ? str(list(ref.fields).at(-1)) : undefined);
      if (name === 'tenant_id' && k) tenant = k;
    }
    return { byIndex, tenant };
  }

  /** VALUES rows: one row binds each column to its value; several rows make each column a key list. */
  private valuesOutputs(rows: PgNode[], block: Block): Outputs {
    const items = rows.map((r) => list(fieldsOf(r, 'List')?.items));
    const width = Math.max(0, ...items.map((r) => r.length));
    const byIndex: (string | undefined)[] = [];
    for (let i = 0; i < width; i++) {
      if (items.length === 1) {
        byIndex.push(this.operand(items[0][i], block));
      } else {
        const key = `values:${this.nextId++}`;
        this.keySets.add(key);
        byIndex.push(key);
      }
    }
    return { byIndex, tenant: undefined };
  }

  // --- verdict -------------------------------------------------------------------

  private routingOf(key: string): Routing {
    const root = this.uf.find(key);
    const members = this.uf.keys().filter((k) => this.uf.find(k) === root);
    members.push(root);
    if (members.some((k) => k.startsWith('param:') || k.startsWith('const:'))) return 'tenant';
    if (members.some((k) => this.keySets.has(k))) return 'key-list';
    return 'unkeyed';
  }

  private verdict(kind: StatementAnalysis['kind']): StatementAnalysis {
    const tables = this.tenantSources.map(({ source }) => ({ table: source.table!, alias: source.alias, routing: this.routingOf(source.key) }));
    const findings: Finding[] = [];
    for (const t of tables) {
      if (t.routing === 'unkeyed') {
        findings.push({ rule: 'tenant-key', message: `${t.table} (as ${t.alias}) has no tenant_id predicate or join condition` });
      }
    }
    for (const block of this.blocks) {
      const own = this.tenantSources.filter((t) => t.block === block).map((t) => t.source);
      const roots = new Set(own.map((s) => this.uf.find(s.key)));
      if (roots.size > 1) {
        findings.push({
          rule: 'colocated-join',
          message: `${own.map((s) => `${s.table} (as ${s.alias})`).join(', ')} are not joined on tenant_id`,
        });
      }
    }
    if (this.locks) {
      for (const t of tables) {
        if (t.routing !== 'tenant') {
          findings.push({ rule: 'single-tenant-lock', message: `row locks on ${t.table} (as ${t.alias}), which is ${t.routing}, not one tenant` });
        }
      }
    }
    return { kind, tables, locks: this.locks, skipLocked: this.skipLocked, groupsByTenant: this.groupsByTenant, findings };
  }
}
