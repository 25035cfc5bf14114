import type { z } from 'zod';
import type { ErrorKind } from '../errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * One HTTP/JSON operation: everything the server needs to serve it and the
 * OpenAPI generator needs to describe it, so the document cannot drift from
 * what is served. The schemas check the transport's shape only (types, known
 * fields); every rule about values belongs to the core the handler calls, so
 * both transports refuse the same inputs with the same message.
 */
export interface RouteSpec<Deps, P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined, R extends z.ZodType> {
  method: HttpMethod;
  /** OpenAPI path template: literal segments and `{name}` parameters, each a whole segment. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags?: readonly string[];
  /** Path parameters (string fields named as in `path`). */
  params?: P;
  /** Query parameters (string fields; each may appear once). */
  query?: Q;
  /** The JSON body; a schema registered with an id in the request registry. */
  body?: B;
  /** The JSON answer (200); a schema registered with an id in the response registry. */
  response: R;
  /** Error kinds the handler's core may raise (they become documented statuses via shared/http/status.ts). */
  errors: readonly ErrorKind[];
  /** OpenAPI links of the 200 answer: operations that can use what this one created (stateful API testing follows them). */
  links?: Readonly<Record<string, RouteLink>>;
  /** Shape-checked input → core call → response. No validation of values here: that is the core's. */
  handle: (input: { params: Out<P>; query: Out<Q>; body: Out<B> }, deps: Deps) => Promise<z.input<R>>;
}

/** An OpenAPI link: the operation and where its parameters come from (runtime expressions such as `$request.body#/documents/0/id`). */
export interface RouteLink {
  operationId: string;
  parameters: Readonly<Record<string, string>>;
  description?: string;
}

/** A route with its types erased, as the server and the generator iterate them. */
export interface Route<Deps> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags?: readonly string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  errors: readonly ErrorKind[];
  links?: Readonly<Record<string, RouteLink>>;
  handle: (input: { params: unknown; query: unknown; body: unknown }, deps: Deps) => Promise<unknown>;
}

/** Declares a route with its handler typed from its schemas: `route<Deps>()({ … })`. */
export function route<Deps>() {
  return <P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined, R extends z.ZodType = z.ZodType>(
    spec: RouteSpec<Deps, P, Q, B, R>,
  ): Route<Deps> => spec as unknown as Route<Deps>;
}

/** The `{name}` parameters of a path template, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}/]+)\}/g)].map((m) => m[1]);
}
