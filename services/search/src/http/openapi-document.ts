import { buildOpenApi } from '../../../../shared/http/openapi.js';
import { requestSchemas, responseSchemas } from './schemas.js';
import { searchRoutes } from './search-routes.js';

/** Where the generated document is committed (relative to the repository root). */
export const SEARCH_OPENAPI_PATH = 'api/openapi/search.yaml';

/** The search HTTP API's OpenAPI document, generated from the route table the server serves. */
export function searchOpenApiDocument(): Record<string, unknown> {
  return buildOpenApi({
    title: 'polysearch search',
    version: 'v1',
    description: [
      'HTTP/JSON twin of the gRPC service polysearch.search.v1.Search (proto/polysearch/search/v1/search.proto):',
      'each operation calls the same core with the same validation, so both transports accept and refuse the same',
      'inputs with the same message. Fields are named as in the proto (snake_case) and enums by their proto names;',
      'every request field may be left out (proto3 zero value). Errors are one JSON shape, `error.status` being the',
      'gRPC status the same failure gets there. Served on SEARCH_API_PORT (8083), over HTTPS with SEARCH_API_TLS_CERT/KEY',
      'and mutual TLS with SEARCH_API_TLS_CLIENT_CA. Generated from services/search/src/http/search-routes.ts by',
      '`npm run openapi`; CI fails when this file is stale (`npm run openapi:check`).',
    ].join(' '),
    servers: [{ url: 'http://localhost:8083', description: 'npm run search' }],
    tags: [
      { name: 'search', description: 'Search a tenant (Search.Search).' },
      { name: 'documents', description: 'Store, read and delete documents (Search.Upsert, Get, Delete).' },
      { name: 'operations', description: 'Counts and the embedding backlog (Search.Stats).' },
    ],
    routes: searchRoutes,
    requestSchemas,
    responseSchemas,
  });
}
