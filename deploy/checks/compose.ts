import { CONTRACTS, checkEnv, effective, effectivePorts, toRecord, type EnvVar } from './contracts.js';
import { isPinnedImage } from './files.js';

type Obj = Record<string, unknown>;

function envOf(service: Obj): EnvVar[] {
  const env = service.environment;
  if (Array.isArray(env)) {
    return env.map((entry: string) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? { name: entry } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
    });
  }
  return Object.entries((env as Obj) ?? {}).map(([name, value]) => ({ name, value: value == null ? undefined : String(value) }));
}

/** Container side of each "host:container" port mapping. */
function containerPorts(service: Obj): number[] {
  return ((service.ports as unknown[]) ?? []).map((p) => {
    if (typeof p === 'object' && p !== null) return Number((p as Obj).target);
    const parts = String(p).split('/')[0].split(':');
    return Number(parts[parts.length - 1]);
  });
}

function healthText(service: Obj): string {
  const test = (service.healthcheck as Obj | undefined)?.test;
  return Array.isArray(test) ? test.join(' ') : String(test ?? '');
}

/** Compose-file consistency with the code: names, ports, start order, model width. */
export function checkCompose(doc: Obj): string[] {
  const problems: string[] = [];
  const services = (doc.services ?? {}) as Record<string, Obj>;
  const ports: Record<string, { grpc: number; http: number }> = {};

  for (const name of ['postgres', 'embedder', 'search']) {
    if (!services[name]) problems.push(`service ${name} is missing`);
    else if (!healthText(services[name])) problems.push(`${name} has no healthcheck`);
  }
  for (const [name, service] of Object.entries(services)) {
    if (!service.build && (typeof service.image !== 'string' || !isPinnedImage(service.image))) {
      problems.push(`${name}: image ${String(service.image)} is not pinned to an exact version or digest`);
    }
  }

  for (const key of ['embedder', 'search'] as const) {
    const service = services[key];
    if (!service) continue;
    const contract = CONTRACTS[key];
    const env = envOf(service);
    problems.push(...checkEnv(contract, env, `compose ${key}.environment`));
    ports[key] = effectivePorts(contract, toRecord(env));
    const published = containerPorts(service);
    for (const [what, port] of Object.entries(ports[key])) {
      if (!published.includes(port)) problems.push(`${key}: ${what} port ${port} is not published`);
    }
    if (!healthText(service).includes(`:${ports[key].http}/readyz`)) {
      problems.push(`${key}: healthcheck must probe /readyz on the HTTP port ${ports[key].http}`);
    }
    if (service.read_only !== true) problems.push(`${key}: read_only should be true (the image needs no writable root)`);
    const tmpfs = ([] as unknown[]).concat(service.tmpfs ?? []);
    if (!tmpfs.some((t) => String(t).split(':')[0] === '/tmp')) problems.push(`${key}: needs a tmpfs at /tmp`);
  }

  const search = services.search;
  if (search) {
    const deps = (search.depends_on ?? {}) as Record<string, Obj>;
    if (deps.postgres?.condition !== 'service_healthy') problems.push('search must wait for postgres to be healthy');
    // Search degrades without the embedder; waiting for it would block search on a model load.
    if (deps.embedder?.condition !== 'service_started') problems.push('search must depend on embedder with service_started only');

    const env = toRecord(envOf(search));
    const addresses = String(effective(CONTRACTS.search, 'EMBEDDER_ADDRESSES', env)).split(',');
    for (const address of addresses) {
      const m = /^(?:dns:\/\/\/)?([^:]+):(\d+)$/.exec(address.trim());
      if (!m || !services[m[1]] || m[1] !== 'embedder' || Number(m[2]) !== ports.embedder?.grpc) {
        problems.push(`search EMBEDDER_ADDRESSES ${address} does not reach the embedder service's gRPC port`);
      }
    }
    const url = env.DATABASE_URL;
    if (url && !/@postgres:5432\//.test(url)) problems.push(`search DATABASE_URL does not point at postgres:5432`);

    // The vector width is learned from the embedder's fingerprint: setting it by hand can only go stale.
    if ('EMBEDDING_DIMENSIONS' in env) problems.push('search EMBEDDING_DIMENSIONS is no longer read (the width comes from the embedder); remove it');
  }

  const postgres = services.postgres;
  const volumes = (doc.volumes ?? {}) as Obj;
  for (const v of (postgres?.volumes as unknown[]) ?? []) {
    const source = String(v).split(':')[0];
    if (!source.startsWith('.') && !source.startsWith('/') && !(source in volumes)) {
      problems.push(`postgres volume ${source} is not declared under volumes:`);
    }
  }
  if (!((postgres?.volumes as unknown[]) ?? []).some((v) => /:\/var\/lib\/postgresql\/data$/.test(String(v)))) {
    problems.push('postgres data is not on a named volume');
  }
  return problems;
}
