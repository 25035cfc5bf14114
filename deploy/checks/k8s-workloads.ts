import {
  CONTRACTS,
  checkEnv,
  effectivePorts,
  requiredVars,
  toRecord,
  type EnvVar,
  type ServiceContract,
} from './contracts.js';

// Manifests are plain parsed YAML; `any` keeps the navigation readable, and every
// check below treats a missing field as a problem rather than trusting the shape.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type K8sDoc = Record<string, any>;

export function byKind(docs: K8sDoc[], kind: string): K8sDoc[] {
  return docs.filter((d) => d.kind === kind);
}

export function find(docs: K8sDoc[], kind: string, name: string): K8sDoc | undefined {
  return docs.find((d) => d.kind === kind && d.metadata?.name === name);
}

export function containerEnv(container: K8sDoc): EnvVar[] {
  return (container.env ?? []).map((e: K8sDoc) => ({ name: e.name, value: e.value === undefined ? undefined : String(e.value) }));
}

/** A probe or service port given by name or number, as the number it means. */
export function resolvePort(container: K8sDoc, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  return (container.ports ?? []).find((p: K8sDoc) => p.name === port)?.containerPort;
}

function checkProbe(container: K8sDoc, kind: string, path: string, httpPort: number, where: string): string[] {
  const probe = container[kind];
  if (!probe?.httpGet) return [`${where}: no ${kind} (httpGet ${path})`];
  const problems: string[] = [];
  if (probe.httpGet.path !== path) problems.push(`${where}: ${kind} probes ${probe.httpGet.path}, expected ${path}`);
  const port = resolvePort(container, probe.httpGet.port);
  if (port !== httpPort) problems.push(`${where}: ${kind} port ${String(probe.httpGet.port)} is not the HTTP port ${httpPort}`);
  return problems;
}

export interface WorkloadExpectations {
  contract: ServiceContract;
  /** Variables the image sets itself (its Dockerfile ENV), so the manifest need not. */
  imageEnv: Record<string, string>;
  /** Seconds the startup probe must allow at least (model load). */
  minStartupSeconds: number;
}

/** Probes, ports, env names, resources and the restricted security context of one Deployment. */
export function checkDeployment(dep: K8sDoc, expect: WorkloadExpectations): string[] {
  const where = `Deployment ${dep.metadata?.name}`;
  const pod = dep.spec?.template?.spec;
  const container = pod?.containers?.[0];
  if (!container) return [`${where}: no container`];
  const problems: string[] = [];
  const env = containerEnv(container);
  problems.push(...checkEnv(expect.contract, env, `${where} env`));
  const ports = effectivePorts(expect.contract, { ...expect.imageEnv, ...toRecord(env) });
  for (const name of ['grpc', 'http'] as const) {
    if (resolvePort(container, name) !== ports[name]) {
      problems.push(`${where}: containerPort "${name}" must be ${ports[name]}, the port the service listens on`);
    }
  }
  for (const name of requiredVars(expect.contract)) {
    if (!env.some((e) => e.name === name) && !(name in expect.imageEnv)) problems.push(`${where}: ${name} is required but never set`);
  }

  problems.push(...checkProbe(container, 'startupProbe', '/readyz', ports.http, where));
  problems.push(...checkProbe(container, 'readinessProbe', '/readyz', ports.http, where));
  problems.push(...checkProbe(container, 'livenessProbe', '/livez', ports.http, where));
  const startup = container.startupProbe;
  if (startup && (startup.failureThreshold ?? 3) * (startup.periodSeconds ?? 10) < expect.minStartupSeconds) {
    problems.push(`${where}: startupProbe allows less than ${expect.minStartupSeconds}s for start-up`);
  }

  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      if (container.resources?.[kind]?.[resource] === undefined) problems.push(`${where}: resources.${kind}.${resource} missing`);
    }
  }

  const podSec = pod.securityContext ?? {};
  const sec = container.securityContext ?? {};
  if (pod.automountServiceAccountToken !== false) problems.push(`${where}: automountServiceAccountToken must be false`);
  if (podSec.runAsNonRoot !== true) problems.push(`${where}: pod securityContext.runAsNonRoot must be true`);
  if (!(Number(podSec.runAsUser) > 0)) problems.push(`${where}: pod securityContext.runAsUser must be a non-root uid`);
  if (podSec.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${where}: pod seccompProfile must be RuntimeDefault`);
  if (sec.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
  if (sec.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem must be true`);
  if (!(sec.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities must drop ALL`);
  if (sec.privileged === true) problems.push(`${where}: must not be privileged`);
  if (sec.runAsNonRoot === false || (sec.runAsUser !== undefined && Number(sec.runAsUser) === 0)) {
    problems.push(`${where}: container overrides the pod's non-root user`);
  }

  const tmpMount = (container.volumeMounts ?? []).find((m: K8sDoc) => m.mountPath === '/tmp');
  const tmpVolume = (pod.volumes ?? []).find((v: K8sDoc) => v.name === tmpMount?.name);
  if (!tmpVolume?.emptyDir) problems.push(`${where}: /tmp must be an emptyDir (the root filesystem is read-only)`);
  return problems;
}

export function deploymentContract(dep: K8sDoc): ServiceContract | undefined {
  const name = dep.metadata?.name as string;
  return name === 'embedder' || name === 'search' ? CONTRACTS[name] : undefined;
}
