import type { PolysearchSearchClient, StatsResponse } from '../shared/client/index.js';
import { formatCount, renderTable } from './table.js';

export function formatStats(res: StatsResponse): string {
  const lines: string[] = [];
  if (res.tenants.length === 0) lines.push('(no documents)');
  else {
    lines.push(
      renderTable(
        [{ header: 'tenant', max: 40 }, { header: 'documents', align: 'right' }, { header: 'passages', align: 'right' }, { header: 'pending embeddings', align: 'right' }],
        res.tenants.map((t) => [t.tenantId, formatCount(t.documents), formatCount(t.passages), formatCount(t.pendingPassages)]),
      ),
    );
  }
  lines.push(
    `pending passages ${formatCount(res.pendingPassages)} · stale passages ${formatCount(res.stalePassages)} · model ${res.fingerprint ? res.fingerprint.slice(0, 16) : '(embedder not reached yet)'}`,
  );
  return lines.join('\n');
}

export async function stats(client: PolysearchSearchClient, o: { tenantId: string; json: boolean }, out: { write(s: string): unknown }): Promise<void> {
  const res = await client.stats(o.tenantId);
  out.write(`${o.json ? JSON.stringify(res, null, 2) : formatStats(res)}\n`);
}
