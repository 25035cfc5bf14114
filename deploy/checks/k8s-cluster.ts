import { CONTRACTS, effective, toRecord } from './contracts.js';
import { byKind, containerEnv, find, resolvePort, type K8sDoc } from './k8s-workloads.js';

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function podLabels(dep: K8sDoc): Record<string, string> {
  return dep.spec?.template?.metadata?.labels ?? {};
}

/** Services reach real container ports; the headless service and search's dns:/// address line up. */
export function checkServices(docs: K8sDoc[]): string[] {
  const problems: string[] = [];
  const deployments = byKind(docs, 'Deployment');
  for (const svc of byKind(docs, 'Service')) {
    const where = `Service ${svc.metadata?.name}`;
    const targets = deployments.filter((d) => selects(svc.spec?.selector, podLabels(d)));
    if (targets.length === 0) {
      problems.push(`${where}: selects no Deployment's pods`);
      continue;
    }
    for (const port of svc.spec?.ports ?? []) {
      for (const dep of targets) {
        const container = dep.spec.template.spec.containers[0];
        if (resolvePort(container, port.targetPort ?? port.port) === undefined) {
          problems.push(`${where}: targetPort ${String(port.targetPort)} is not a port of ${dep.metadata.name}`);
        }
      }
    }
  }

  const headless = find(docs, 'Service', 'embedder-headless');
  const embedder = find(docs, 'Deployment', 'embedder');
  const search = find(docs, 'Deployment', 'search');
  if (!headless || headless.spec?.clusterIP !== 'None') problems.push('Service embedder-headless must exist with clusterIP: None');
  else if (!embedder || !selects(headless.spec.selector, podLabels(embedder))) problems.push('embedder-headless must select the embedder pods');
  if (headless?.spec?.publishNotReadyAddresses === true) problems.push('embedder-headless must not publish pods that are not ready');

  if (search && headless) {
    const env = toRecord(containerEnv(search.spec.template.spec.containers[0]));
    const address = String(effective(CONTRACTS.search, 'EMBEDDER_ADDRESSES', env));
    const m = /^dns:\/\/\/([^.:]+)\.([^.:]+)(?:\.svc(?:\.cluster\.local)?)?:(\d+)$/.exec(address);
    const svcPort = headless.spec.ports?.find((p: K8sDoc) => p.name === 'grpc' || p.port === Number(m?.[3]));
    const embedderGrpc = embedder ? resolvePort(embedder.spec.template.spec.containers[0], svcPort?.targetPort ?? svcPort?.port) : undefined;
    if (!m) problems.push(`search EMBEDDER_ADDRESSES ${address} is not a dns:/// name of the headless service`);
    else if (m[1] !== 'embedder-headless') problems.push(`search EMBEDDER_ADDRESSES names ${m[1]}, not embedder-headless`);
    else if (m[2] !== 'polysearch') problems.push(`search EMBEDDER_ADDRESSES names namespace ${m[2]}, not polysearch`);
    else if (Number(m[3]) !== svcPort?.port || embedderGrpc === undefined) {
      problems.push(`search EMBEDDER_ADDRESSES port ${m[3]} is not the headless service's gRPC port`);
    }
  }
  return problems;
}

/** Autoscaling and disruption budgets for the workloads that need them. */
export function checkAvailability(docs: K8sDoc[]): string[] {
  const problems: string[] = [];
  const hpa = byKind(docs, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === 'embedder');
  if (!hpa) problems.push('no HorizontalPodAutoscaler targets the embedder Deployment');
  else {
    if (hpa.spec.scaleTargetRef.kind !== 'Deployment') problems.push('embedder HPA must target the Deployment');
    const cpu = (hpa.spec.metrics ?? []).some((m: K8sDoc) => m.type === 'Resource' && m.resource?.name === 'cpu');
    if (!cpu) problems.push('embedder HPA must scale on CPU');
    if (!(hpa.spec.minReplicas >= 2)) problems.push('embedder HPA minReplicas must be at least 2 (a PDB of 1 needs a spare)');
  }
  for (const name of ['embedder', 'search']) {
    const dep = find(docs, 'Deployment', name);
    const pdb = byKind(docs, 'PodDisruptionBudget').find((p) => dep && selects(p.spec?.selector?.matchLabels, podLabels(dep)));
    if (!pdb) problems.push(`no PodDisruptionBudget covers ${name}`);
  }
  return problems;
}

function policiesFor(docs: K8sDoc[], labels: Record<string, string>): K8sDoc[] {
  return byKind(docs, 'NetworkPolicy').filter((p) => {
    const sel = p.spec?.podSelector?.matchLabels;
    return !sel || Object.keys(sel).length === 0 || selects(sel, labels);
  });
}

function portsOf(rule: K8sDoc): string[] {
  return (rule.ports ?? []).map((p: K8sDoc) => `${p.protocol ?? 'TCP'}/${p.port}`);
}

/** Default deny; embedder: ingress only from search on gRPC, no egress at all; search: DNS, embedder, Postgres. */
export function checkNetworkPolicies(docs: K8sDoc[]): string[] {
  const problems: string[] = [];
  const policies = byKind(docs, 'NetworkPolicy');
  const deny = policies.find(
    (p) =>
      Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
      ['Ingress', 'Egress'].every((t) => (p.spec?.policyTypes ?? []).includes(t)) &&
      !(p.spec?.ingress ?? []).length &&
      !(p.spec?.egress ?? []).length,
  );
  if (!deny) problems.push('no default-deny NetworkPolicy (empty podSelector, Ingress+Egress, no rules)');

  const embedder = find(docs, 'Deployment', 'embedder');
  const search = find(docs, 'Deployment', 'search');
  if (!embedder || !search) return [...problems, 'NetworkPolicy checks need both Deployments'];
  const embedderPolicies = policiesFor(docs, podLabels(embedder));
  if (!embedderPolicies.some((p) => (p.spec?.policyTypes ?? []).includes('Egress'))) problems.push('embedder egress is not restricted');
  for (const p of embedderPolicies) {
    if ((p.spec?.egress ?? []).length > 0) problems.push(`NetworkPolicy ${p.metadata.name} lets the embedder send traffic out`);
    for (const rule of p.spec?.ingress ?? []) {
      const ports = portsOf(rule);
      if (ports.length === 0) problems.push(`NetworkPolicy ${p.metadata.name}: embedder ingress rule without ports`);
      if (ports.includes('TCP/50051')) {
        const onlySearch = (rule.from ?? []).length > 0 && rule.from.every((f: K8sDoc) => !f.namespaceSelector && !f.ipBlock && selects(f.podSelector?.matchLabels, podLabels(search)));
        if (!onlySearch) problems.push(`NetworkPolicy ${p.metadata.name}: embedder gRPC must accept only search pods`);
      }
    }
  }
  const ingressPorts = embedderPolicies.flatMap((p) => (p.spec?.ingress ?? []).flatMap(portsOf));
  for (const port of ['TCP/50051', 'TCP/8081']) {
    if (!ingressPorts.includes(port)) problems.push(`embedder ingress on ${port} is not allowed by any policy`);
  }

  const searchPolicies = policiesFor(docs, podLabels(search));
  const egress = searchPolicies.flatMap((p) => p.spec?.egress ?? []);
  const allowed = new Set(['UDP/53', 'TCP/53', 'TCP/5432', 'TCP/50051']);
  for (const rule of egress) {
    const ports = portsOf(rule);
    if (ports.length === 0) problems.push('a search egress rule allows every port');
    for (const port of ports) if (!allowed.has(port)) problems.push(`search egress allows ${port}`);
    if (ports.includes('TCP/50051') && !(rule.to ?? []).every((t: K8sDoc) => selects(t.podSelector?.matchLabels, podLabels(embedder)))) {
      problems.push('search egress on 50051 must go to the embedder pods only');
    }
  }
  for (const port of allowed) {
    if (!egress.some((r) => portsOf(r).includes(port))) problems.push(`search egress on ${port} is not allowed`);
  }
  return problems;
}
