import type { z } from 'zod';
import { embedderEnvSchema } from '../../services/embedder/src/config.js';
import { searchEnvSchema } from '../../services/search/src/config.js';

/**
 * What the deployment files must agree with: each service's env schema (the
 * single source of variable names and defaults) and which variables set its ports.
 */
export interface ServiceContract {
  service: 'embedder' | 'search';
  schema: z.ZodObject;
  grpcPortVar: string;
  httpPortVar: string;
  entrypoint: string;
}

export const CONTRACTS: Record<'embedder' | 'search', ServiceContract> = {
  embedder: {
    service: 'embedder',
    schema: embedderEnvSchema,
    grpcPortVar: 'EMBEDDER_GRPC_PORT',
    httpPortVar: 'EMBEDDER_HTTP_PORT',
    entrypoint: 'dist/services/embedder/src/main.js',
  },
  search: {
    service: 'search',
    schema: searchEnvSchema,
    grpcPortVar: 'SEARCH_GRPC_PORT',
    httpPortVar: 'SEARCH_HTTP_PORT',
    entrypoint: 'dist/services/search/src/main.js',
  },
};

/** One variable as a manifest sets it; value is undefined when it comes from a secret or the downward API. */
export interface EnvVar {
  name: string;
  value?: string;
}

function field(contract: ServiceContract, name: string): z.ZodType | undefined {
  return (contract.schema.shape as Record<string, z.ZodType>)[name];
}

/** The value the service would run with, as its own parseEnv would compute it ('' counts as unset). */
export function effective(contract: ServiceContract, name: string, env: Record<string, string | undefined>): unknown {
  const schemaField = field(contract, name);
  if (!schemaField) return undefined;
  const raw = env[name];
  const parsed = schemaField.safeParse(raw === '' ? undefined : raw);
  return parsed.success ? parsed.data : undefined;
}

export function effectivePorts(contract: ServiceContract, env: Record<string, string | undefined>): { grpc: number; http: number } {
  return {
    grpc: effective(contract, contract.grpcPortVar, env) as number,
    http: effective(contract, contract.httpPortVar, env) as number,
  };
}

/** Every name must be a schema key (a typo is silently ignored at run time), every literal value must parse. */
export function checkEnv(contract: ServiceContract, vars: EnvVar[], where: string): string[] {
  const problems: string[] = [];
  for (const v of vars) {
    const schemaField = field(contract, v.name);
    if (!schemaField) {
      problems.push(`${where}: ${v.name} is not a ${contract.service} setting (not in its env schema)`);
      continue;
    }
    if (v.value !== undefined && v.value !== '' && !schemaField.safeParse(v.value).success) {
      problems.push(`${where}: ${v.name}=${JSON.stringify(v.value)} is not a valid value for ${contract.service}`);
    }
  }
  return problems;
}

/** Schema keys with neither a default nor optional(): the service refuses to start without them. */
export function requiredVars(contract: ServiceContract): string[] {
  return Object.entries(contract.schema.shape as Record<string, z.ZodType>)
    .filter(([, f]) => !f.safeParse(undefined).success)
    .map(([name]) => name);
}

export function toRecord(vars: EnvVar[]): Record<string, string | undefined> {
  return Object.fromEntries(vars.map((v) => [v.name, v.value]));
}
