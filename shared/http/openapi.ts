import { z } from 'zod';
import type { ErrorKind } from '../errors.js';
import { pathParameterNames, type Route } from './route.js';
import { HTTP_STATUS_BY_KIND, httpErrorBodySchema } from './status.js';

type SchemaRegistry = z.core.$ZodRegistry<{ id: string }>;

export interface OpenApiOptions<Deps> {
  title: string;
  version: string;
  description: string;
  servers: { url: string; description?: string }[];
  tags?: { name: string; description: string }[];
  routes: readonly Route<Deps>[];
  /** Named request schemas (read as input) and response schemas (read as output). */
  requestSchemas: SchemaRegistry;
  responseSchemas: SchemaRegistry;
}

type JsonObject = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** Why each status happens, as the document says it. */
const STATUS_TEXT: Record<number, string> = {
  400: 'The request is malformed or a value is invalid: the message names the field and what to change.',
  404: 'Not found.',
  413: 'The body is larger than the request limit (SEARCH_MAX_REQUEST_BYTES, also the gRPC limit).',
  415: 'The body is not application/json (UTF-8).',
  429: 'Overloaded: retry after Retry-After seconds.',
  500: 'A bug, not bad input: the server log has the details.',
  503: 'Temporarily unavailable (database unreachable, shutting down): retry after Retry-After seconds.',
  504: 'A deadline passed (e.g. a database statement timed out).',
};
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
};

/**
 * Builds the OpenAPI 3.1 document of a route table: paths, parameters and
 * bodies from the routes' zod schemas, and every status the server can
 * answer for each operation — 200, the statuses of the error kinds its core
 * may raise (through shared/http/status.ts), and the transport's own (400,
 * 503 while shutting down; 413 and 415 where there is a body). Deterministic:
 * the same table always gives the same document.
 */
export function buildOpenApi<Deps>(o: OpenApiOptions<Deps>): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of o.routes) {
    const parameters = [
      ...objectParameters(route.params, 'path', route.operationId),
      ...objectParameters(route.query, 'query', route.operationId),
    ];
    const declared = pathParameterNames(route.path);
    const named = route.params ? Object.keys(route.params.shape) : [];
    if (declared.join() !== named.join()) {
      throw new Error(`${route.operationId}: path ${route.path} names {${declared.join('}, {')}} but its params schema has ${named.join(', ') || 'none'}`);
    }
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.tags ? { tags: [...route.tags] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: ref(o.requestSchemas, route.body, route.operationId, 'body') } } } }
        : {}),
      responses: responses(route, ref(o.responseSchemas, route.response, route.operationId, 'response')),
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  const operationIds = new Set(o.routes.map((r) => r.operationId));
  for (const route of o.routes) {
    for (const [name, link] of Object.entries(route.links ?? {})) {
      if (!operationIds.has(link.operationId)) throw new Error(`${route.operationId}: link ${name} names unknown operation ${link.operationId}`);
    }
  }

  const schemas: Record<string, unknown> = {};
  for (const [registry, io] of [
    [o.requestSchemas, 'input'],
    [o.responseSchemas, 'output'],
  ] as const) {
    const generated = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` }).schemas;
    for (const [id, schema] of Object.entries(generated)) {
      if (id in schemas) throw new Error(`schema id ${id} is used twice`);
      schemas[id] = bare(schema);
    }
  }
  schemas.Error = bare(z.toJSONSchema(httpErrorBodySchema, { io: 'output' }));

  return {
    openapi: '3.1.0',
    info: { title: o.title, version: o.version, description: o.description },
    servers: o.servers,
    ...(o.tags ? { tags: o.tags } : {}),
    paths,
    components: { schemas },
  };
}

function responses(route: Pick<Route<never>, 'errors' | 'body' | 'links'>, okSchema: JsonObject): JsonObject {
  const kinds = route.errors.filter((k): k is Exclude<ErrorKind, 'cancelled'> => k !== 'cancelled');
  const statuses = new Set<number>([400, 503, ...kinds.map((k) => HTTP_STATUS_BY_KIND[k])]);
  if (route.body) {
    statuses.add(413);
    statuses.add(415);
  }
  const links = route.links ? { links: Object.fromEntries(Object.entries(route.links).map(([name, l]) => [name, { ...l }])) } : {};
  const out: JsonObject = { '200': { description: 'OK', content: { 'application/json': { schema: okSchema } }, ...links } };
  for (const status of [...statuses].sort((a, b) => a - b)) {
    out[String(status)] = {
      description: STATUS_TEXT[status] ?? `HTTP ${status}`,
      ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      content: { 'application/json': { schema: ERROR_REF } },
    };
  }
  return out;
}

function objectParameters(schema: z.ZodObject | undefined, where: 'path' | 'query', operationId: string): JsonObject[] {
  if (!schema) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const json = bare(z.toJSONSchema(field, { io: 'input' }));
    const { description, ...fieldSchema } = json as { description?: string };
    if ((fieldSchema as { type?: string }).type !== 'string') throw new Error(`${operationId}: ${where} parameter ${name} must be a string`);
    return {
      name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

function ref(registry: SchemaRegistry, schema: z.ZodType, operationId: string, what: string): JsonObject {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error(`${operationId}: its ${what} schema is not registered with an id (it would have no name in the document)`);
  return { $ref: `#/components/schemas/${id}` };
}

/** A component schema without the JSON Schema document keywords, which OpenAPI does not want there. */
function bare(schema: unknown): JsonObject {
  const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
  return rest;
}
