import { malformedRequest, methodNotAllowed, noRoute } from './status.js';
import type { HttpMethod, Route } from './route.js';

type Segment = { literal: string } | { param: string };

interface Compiled<Deps> {
  route: Route<Deps>;
  segments: Segment[];
  literals: number;
}

export interface RouteMatch<Deps> {
  route: Route<Deps>;
  /** Path parameters, percent-decoded (so an id may contain "/" as %2F). */
  params: Record<string, string>;
}

/**
 * Finds the route of a request path. Segments are compared after
 * percent-decoding; a parameter takes one whole segment, which may be empty
 * (the core then says the value is required, as it does over gRPC). Where a
 * literal and a parameter both match, the route of the request's method with
 * more literal segments wins. A path served only for other methods is a 405
 * with Allow, not a 404.
 */
export class RouteMatcher<Deps> {
  private readonly compiled: Compiled<Deps>[];

  constructor(routes: readonly Route<Deps>[]) {
    this.compiled = routes.map((route) => {
      const segments = splitPath(route.path).map((s): Segment => {
        const param = /^\{([^}]+)\}$/.exec(s);
        return param ? { param: param[1] } : { literal: s };
      });
      return { route, segments, literals: segments.filter((s) => 'literal' in s).length };
    });
    const seen = new Set<string>();
    for (const c of this.compiled) {
      const key = `${c.route.method} ${c.segments.map((s) => ('literal' in s ? s.literal : '{}')).join('/')}`;
      if (seen.has(key)) throw new Error(`two routes for ${key}`);
      seen.add(key);
    }
  }

  match(method: string, rawPath: string): RouteMatch<Deps> {
    let segments: string[];
    try {
      segments = splitPath(rawPath).map((s) => decodeURIComponent(s));
    } catch {
      throw malformedRequest('malformed_path', 'the request path has an invalid percent-encoding');
    }
    const candidates: { c: Compiled<Deps>; params: Record<string, string> }[] = [];
    for (const c of this.compiled) {
      const params = matchSegments(c.segments, segments);
      if (params) candidates.push({ c, params });
    }
    if (candidates.length === 0) throw noRoute(`no route for ${truncate(rawPath)}; the API is described by api/openapi/search.yaml`);
    candidates.sort((a, b) => b.c.literals - a.c.literals);
    const hit = candidates.find((x) => x.c.route.method === (method as HttpMethod));
    if (!hit) {
      const allowed = [...new Set(candidates.map((x) => x.c.route.method))].sort();
      throw methodNotAllowed(allowed, `${method} is not allowed here; use ${allowed.join(' or ')}`);
    }
    return { route: hit.c.route, params: hit.params };
  }
}

function splitPath(path: string): string[] {
  return (path.startsWith('/') ? path.slice(1) : path).split('/');
}

function matchSegments(pattern: Segment[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if ('literal' in p) {
      if (p.literal !== actual[i]) return undefined;
    } else {
      params[p.param] = actual[i];
    }
  }
  return params;
}

/** Paths hold ids; a message may name the path but not carry an arbitrarily long one back. */
function truncate(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
