import { Gauge, type Registry } from 'prom-client';

/**
 * prom-client's default metrics include three gauges named `…_total`
 * (nodejs_active_handles_total, _requests_total, _resources_total). Prometheus
 * reserves `_total` for counters, and `promtool check metrics` rejects them.
 * Each is the sum of its per-type sibling (`nodejs_active_handles{type}` …),
 * so dropping them loses nothing: use `sum(…_nodejs_active_handles)`.
 *
 * Only these known defaults are dropped; a service's own misnamed metric is
 * left in place for promtool (in CI) to report.
 */
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function dropMisnamedDefaultGauges(registry: Registry): string[] {
  const dropped: string[] = [];
  for (const metric of registry.getMetricsAsArray()) {
    if (metric instanceof Gauge && MISNAMED_DEFAULT_GAUGES.some((suffix) => metric.name.endsWith(suffix))) {
      registry.removeSingleMetric(metric.name);
      dropped.push(metric.name);
    }
  }
  return dropped;
}
