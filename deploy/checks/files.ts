import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const K8S_DIR = join(REPO_ROOT, 'deploy', 'k8s');

/** Every document of a YAML file; a syntax error fails loudly instead of yielding a partial object. */
export function loadYaml(path: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: Record<string, unknown>[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${relative(REPO_ROOT, path)}: ${doc.errors[0].message}`);
    const value = doc.toJS() as Record<string, unknown> | null;
    if (value) out.push(value);
  }
  return out;
}

export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/**
 * An image reference fixed to exact contents or at least an exact release:
 * a sha256 digest, or a tag carrying a full x.y(.z) version. Rejects latest,
 * no tag, and floating tags such as node:20-bookworm-slim.
 */
export function isPinnedImage(ref: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return true;
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag !== 'latest' && /(^|[^0-9.])\d+\.\d+(\.\d+)?([^0-9.]|$)/.test(tag);
}
