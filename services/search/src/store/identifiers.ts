import { invalidArgument } from '../../../../shared/errors.js';

/**
 * SQL identifiers cannot be bound as `$n` parameters, so the only identifier
 * we interpolate (the schema name, from configuration) is checked against an
 * allowlist pattern and then quoted. Everything else is a `$n` parameter.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(name: string): string {
  if (typeof name !== 'string' || !SCHEMA_NAME.test(name) || name.startsWith('pg_')) {
    throw invalidArgument(
      'schema name must match /^[a-z_][a-z0-9_]{0,62}$/ and must not start with "pg_"',
      'invalid_schema_name',
    );
  }
  return name;
}

/** Double-quotes an identifier that has already passed {@link assertSchemaName}. */
export function quoteIdent(name: string): string {
  return `"${assertSchemaName(name)}"`;
}
