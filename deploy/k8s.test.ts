import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONTRACTS, checkEnv } from './checks/contracts.js';
import { runtimeEnv } from './checks/dockerfile.js';
import { K8S_DIR, loadYaml, readRepoFile, yamlFilesUnder } from './checks/files.js';
import { checkAvailability, checkNetworkPolicies, checkServices } from './checks/k8s-cluster.js';
import { byKind, checkDeployment, containerEnv, find, type K8sDoc } from './checks/k8s-workloads.js';

const kustomization = loadYaml(join(K8S_DIR, 'kustomization.yaml'))[0] as K8sDoc;
const docs: K8sDoc[] = (kustomization.resources as string[]).flatMap((r) => loadYaml(join(K8S_DIR, r)));
const component = loadYaml(join(K8S_DIR, 'components/mtls/kustomization.yaml'))[0] as K8sDoc;
const componentDir = join(K8S_DIR, 'components/mtls');
const patches: K8sDoc[] = (component.patches as { path: string }[]).flatMap((p) => loadYaml(join(componentDir, p.path)));

const expectations = {
  embedder: { contract: CONTRACTS.embedder, imageEnv: runtimeEnv(readRepoFile('deploy/embedder.Dockerfile')), minStartupSeconds: 240 },
  search: { contract: CONTRACTS.search, imageEnv: runtimeEnv(readRepoFile('deploy/search.Dockerfile')), minStartupSeconds: 60 },
};

function allProblems(set: K8sDoc[]): string[] {
  const problems: string[] = [];
  for (const name of ['embedder', 'search'] as const) {
    const dep = find(set, 'Deployment', name);
    if (!dep) problems.push(`Deployment ${name} is missing`);
    else problems.push(...checkDeployment(dep, expectations[name]));
  }
  return [...problems, ...checkServices(set), ...checkAvailability(set), ...checkNetworkPolicies(set)];
}

const mutated = (change: (d: K8sDoc[]) => void): K8sDoc[] => {
  const copy = structuredClone(docs);
  change(copy);
  return copy;
};
const dep = (d: K8sDoc[], name: string) => find(d, 'Deployment', name)!;
const ctr = (d: K8sDoc[], name: string) => dep(d, name).spec.template.spec.containers[0];
const policy = (d: K8sDoc[], name: string) => find(d, 'NetworkPolicy', name)!;

describe('deploy/k8s manifests', () => {
  it('lists every manifest in kustomization.yaml (or the mTLS component) and targets the polysearch namespace', () => {
    const listed = new Set([
      'kustomization.yaml',
      ...(kustomization.resources as string[]),
      'components/mtls/kustomization.yaml',
      ...(component.patches as { path: string }[]).map((p) => `components/mtls/${p.path}`),
    ]);
    expect(yamlFilesUnder(K8S_DIR).map((f) => relative(K8S_DIR, f)).filter((f) => !listed.has(f))).toEqual([]);
    expect(kustomization.namespace).toBe('polysearch');
    expect(find(docs, 'Namespace', 'polysearch')).toBeDefined();
  });

  it('pass every workload, service, availability and network check', () => {
    expect(allProblems(docs)).toEqual([]);
  });

  it('mount no service account token', () => {
    for (const sa of byKind(docs, 'ServiceAccount')) expect(sa.automountServiceAccountToken, sa.metadata.name).toBe(false);
  });

  it('the mTLS component sets only variables the services read, from read-only secret mounts', () => {
    for (const patch of patches) {
      const name = patch.metadata.name as 'embedder' | 'search';
      const container = patch.spec.template.spec.containers[0];
      expect(checkEnv(CONTRACTS[name], containerEnv(container), `mtls ${name}`)).toEqual([]);
      expect(container.volumeMounts.every((m: K8sDoc) => m.readOnly === true)).toBe(true);
    }
    const embedderVars = containerEnv(patches.find((p) => p.metadata.name === 'embedder')!.spec.template.spec.containers[0]);
    // Without the client CA the embedder would take any TLS client.
    expect(embedderVars.map((v) => v.name)).toContain('EMBEDDER_TLS_CLIENT_CA');
  });
});

describe('the manifest checker catches', () => {
  const cases: [string, (d: K8sDoc[]) => void, RegExp][] = [
    ['a missing startup probe', (d) => delete ctr(d, 'embedder').startupProbe, /embedder: no startupProbe/],
    ['readiness on /livez', (d) => (ctr(d, 'search').readinessProbe.httpGet.path = '/livez'), /readinessProbe probes \/livez/],
    ['a probe on the gRPC port', (d) => (ctr(d, 'embedder').livenessProbe.httpGet.port = 'grpc'), /livenessProbe port grpc/],
    ['too short a model-load window', (d) => (ctr(d, 'embedder').startupProbe.failureThreshold = 6), /less than 240s/],
    ['a container port off the schema', (d) => (ctr(d, 'search').ports[0].containerPort = 50051), /"grpc" must be 50052/],
    ['a port env var without the matching containerPort', (d) => (ctr(d, 'embedder').env[1].value = '9090'), /"http" must be 9090/],
    ['a misspelt variable', (d) => ctr(d, 'search').env.push({ name: 'EMBEDDER_ADRESSES', value: 'x' }), /EMBEDDER_ADRESSES is not a search setting/],
    ['missing limits', (d) => delete ctr(d, 'embedder').resources.limits, /resources.limits.cpu missing/],
    ['a writable root filesystem', (d) => (ctr(d, 'search').securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem/],
    ['privilege escalation', (d) => delete ctr(d, 'embedder').securityContext.allowPrivilegeEscalation, /allowPrivilegeEscalation/],
    ['kept capabilities', (d) => (ctr(d, 'embedder').securityContext.capabilities.drop = ['NET_RAW']), /drop ALL/],
    ['no seccomp profile', (d) => delete dep(d, 'search').spec.template.spec.securityContext.seccompProfile, /seccompProfile/],
    ['root', (d) => (dep(d, 'search').spec.template.spec.securityContext.runAsNonRoot = false), /runAsNonRoot/],
    ['a mounted token', (d) => (dep(d, 'embedder').spec.template.spec.automountServiceAccountToken = true), /automountServiceAccountToken/],
    ['no /tmp volume', (d) => (ctr(d, 'embedder').volumeMounts = []), /\/tmp must be an emptyDir/],
    ['a service port to nowhere', (d) => (find(d, 'Service', 'search')!.spec.ports[0].targetPort = 'grcp'), /targetPort grcp/],
    ['a ClusterIP where a headless service belongs', (d) => delete find(d, 'Service', 'embedder-headless')!.spec.clusterIP, /clusterIP: None/],
    ['search dialling the ClusterIP service', (d) => (ctr(d, 'search').env[2].value = 'dns:///embedder.polysearch.svc.cluster.local:50051'), /not embedder-headless/],
    ['search dialling the wrong port', (d) => (ctr(d, 'search').env[2].value = 'dns:///embedder-headless.polysearch.svc.cluster.local:8081'), /port 8081/],
    ['no HPA', (d) => d.splice(d.indexOf(find(d, 'HorizontalPodAutoscaler', 'embedder')!), 1), /no HorizontalPodAutoscaler/],
    ['no PDB for search', (d) => d.splice(d.indexOf(find(d, 'PodDisruptionBudget', 'search')!), 1), /no PodDisruptionBudget covers search/],
    ['no default deny', (d) => d.splice(d.indexOf(policy(d, 'default-deny')), 1), /default-deny/],
    ['embedder DNS egress', (d) => (policy(d, 'embedder').spec.egress = [{ ports: [{ protocol: 'UDP', port: 53 }] }]), /embedder send traffic out/],
    ['embedder gRPC open to the namespace', (d) => (policy(d, 'embedder').spec.ingress[0].from = [{ podSelector: {} }]), /accept only search pods/],
    ['search egress to any port', (d) => policy(d, 'search').spec.egress.push({ to: [{ podSelector: {} }] }), /allows every port/],
    ['search egress to the internet', (d) => policy(d, 'search').spec.egress.push({ ports: [{ protocol: 'TCP', port: 443 }] }), /allows TCP\/443/],
    ['search without DNS', (d) => policy(d, 'search').spec.egress.shift(), /UDP\/53 is not allowed/],
  ];
  it.each(cases)('%s', (_name, change, problem) => {
    expect(allProblems(mutated(change)).join('\n')).toMatch(problem);
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// The YAML above is checked file by file; this proves kustomize assembles it into the same result.
describe.skipIf(!hasKubectl())('kubectl kustomize', () => {
  it('builds deploy/k8s into objects that pass the same checks, all in the polysearch namespace', () => {
    const built = parseAllDocuments(execFileSync('kubectl', ['kustomize', K8S_DIR], { encoding: 'utf8' })).map(
      (d) => d.toJS() as K8sDoc,
    );
    expect(allProblems(built)).toEqual([]);
    for (const d of built.filter((x) => x.kind !== 'Namespace')) expect(d.metadata.namespace, `${d.kind} ${d.metadata.name}`).toBe('polysearch');
  });
});
