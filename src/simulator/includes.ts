import { ApiError } from './api-error.js';
import type { CallContext, IncludeDef, Rec, ResourceDef } from './types.js';

/** One segment of an `include=` tree: `projects.tasks` gives projects → tasks. */
export interface IncludeNode {
  readonly name: string;
  readonly children: IncludeNode[];
}

/** Parses `include` (and `partial_include`) into a merged tree of segments. */
export function parseInclude(text: string | undefined): IncludeNode[] {
  const roots: IncludeNode[] = [];
  if (!text) return roots;
  for (const raw of text.split(',')) {
    const path = raw.trim();
    if (!path) continue;
    let level = roots;
    for (const seg of path.split('.')) {
      const name = seg.trim();
      if (!name) throw new ApiError(400, `Invalid include '${path}'`);
      let node = level.find((n) => n.name === name);
      if (!node) {
        node = { name, children: [] };
        level.push(node);
      }
      level = node.children;
    }
  }
  return roots;
}

/** How records are rendered into a response. */
export interface RenderOptions {
  readonly ctx: CallContext;
  readonly resourceOf: (path: string) => ResourceDef;
  /** Filter for an included child collection, by its dotted include path from the root. */
  readonly childFilter: (includePath: string) => ((rec: Rec) => boolean) | undefined;
  /** Max items per included resource type per response (Paymo's 2,500 cap); Infinity = off. */
  readonly includeCap: number;
  /** Fault injection: cut every included child collection to at most this many items. */
  readonly truncateIncludesTo?: number;
  /** `list` renders list rows: `read-one` fields are left out and onRead hooks do not run. */
  readonly mode: 'list' | 'read';
  /** Computed-on-read fields (live reports). */
  readonly onRead?: (path: string, rec: Rec) => Rec;
}

/** Renders response objects and tracks the per-type include counts of one response. */
export class Renderer {
  private readonly includedCounts = new Map<string, number>();

  constructor(private readonly opts: RenderOptions) {}

  /** Renders one main-object record with its includes. */
  renderMain(def: ResourceDef, rec: Rec, nodes: readonly IncludeNode[]): Record<string, unknown> {
    return this.render(def, rec, nodes, '', true);
  }

  private render(
    def: ResourceDef,
    stored: Rec,
    nodes: readonly IncludeNode[],
    path: string,
    isMain: boolean,
  ): Record<string, unknown> {
    const isList = this.opts.mode === 'list' && isMain;
    const rec = this.opts.onRead && !isList ? this.opts.onRead(def.path, stored) : stored;
    const attrs: string[] = [];
    const includes: { node: IncludeNode; inc: IncludeDef }[] = [];
    let star = false;
    for (const node of nodes) {
      const inc = def.includes.find((i) => i.key === node.name || i.aliases?.includes(node.name));
      if (inc) includes.push({ node, inc });
      else if (node.name === '*') star = true;
      else if (def.fields.some((f) => f.name === node.name && f.access !== 'W' && f.access !== 'V')) {
        if (node.children.length > 0)
          throw new ApiError(400, `'${node.name}' is an attribute of ${def.path}, not an include`);
        attrs.push(node.name);
      } else {
        throw new ApiError(400, `Unknown include '${node.name}' for ${def.path}`);
      }
    }
    const out: Record<string, unknown> = {};
    // Naming attributes restricts the object to them; `*` or no attribute means every attribute.
    const selected = attrs.length > 0 && !star ? new Set(isMain ? ['id', ...attrs] : attrs) : null;
    for (const f of def.fields) {
      if (f.access === 'W' || f.access === 'V') continue;
      if (selected && !selected.has(f.name)) continue;
      if (isList && f.emit === 'read-one') continue;
      const v = rec[f.name];
      if (v === undefined) {
        if (f.emit === 'when-set') continue;
        out[f.name] = null;
      } else {
        out[f.name] = v;
      }
    }
    for (const { node, inc } of includes) {
      const includePath = path ? `${path}.${node.name}` : node.name;
      out[node.name] = this.embed(def, inc, rec, node, includePath);
    }
    return out;
  }

  private embed(
    def: ResourceDef,
    inc: IncludeDef,
    rec: Rec,
    node: IncludeNode,
    includePath: string,
  ): unknown {
    const { ctx } = this.opts;
    const target = this.opts.resourceOf(inc.resource);
    if (inc.kind === 'parent') {
      let parent: Rec | undefined;
      if (inc.localField) {
        const id = rec[inc.localField] ?? derivedValue(def, inc.localField, rec, ctx);
        parent = id === null || id === undefined ? undefined : ctx.store.get(target.path, id as number);
      } else if (inc.foreignField) {
        parent = ctx.store.findBy(target.path, inc.foreignField, rec.id)[0];
      }
      if (!parent) return null;
      return this.render(target, parent, node.children, includePath, false);
    }
    let children = ctx.store.findBy(target.path, inc.foreignField!, rec.id);
    const keep = this.opts.childFilter(includePath);
    if (keep) children = children.filter(keep);
    if (this.opts.truncateIncludesTo !== undefined)
      children = children.slice(0, this.opts.truncateIncludesTo);
    const out: unknown[] = [];
    for (const child of children) {
      if (!this.take(target.path)) break;
      out.push(this.render(target, child, node.children, includePath, false));
    }
    return out;
  }

  /** Counts one included child of a type; false once the cap is reached (silent truncation, like Paymo). */
  private take(path: string): boolean {
    const n = this.includedCounts.get(path) ?? 0;
    if (n >= this.opts.includeCap) return false;
    this.includedCounts.set(path, n + 1);
    return true;
  }
}

/** The value of a derived virtual filter (a comment's project comes through its thread). */
function derivedValue(def: ResourceDef, name: string, rec: Rec, ctx: CallContext): unknown {
  const vf = def.virtualFilters?.find((v) => v.name === name);
  return vf?.kind === 'derived' ? vf.value(rec, ctx) : undefined;
}
