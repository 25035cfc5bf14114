import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { dropMisnamedDefaultGauges } from './default-metrics-names.js';

describe('dropMisnamedDefaultGauges', () => {
  it("drops prom-client's three *_total gauges and keeps their per-type siblings", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'svc_process_' });
    expect(dropMisnamedDefaultGauges(registry).sort()).toEqual([
      'svc_process_nodejs_active_handles_total',
      'svc_process_nodejs_active_requests_total',
      'svc_process_nodejs_active_resources_total',
    ]);
    const text = await registry.metrics();
    expect(text).not.toMatch(/_active_\w+_total/);
    expect(text).toContain('# TYPE svc_process_nodejs_active_handles gauge');
    expect(text).toContain('# TYPE svc_process_process_cpu_seconds_total counter');
  });

  it("leaves a service's own misnamed gauge for promtool to report", () => {
    const registry = new Registry();
    new Gauge({ name: 'svc_things_total', help: 'wrongly a gauge', registers: [registry] });
    expect(dropMisnamedDefaultGauges(registry)).toEqual([]);
    expect(registry.getSingleMetric('svc_things_total')).toBeDefined();
  });
});
