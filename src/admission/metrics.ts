import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The webhook's Prometheus metrics, in their own registry (served on the plain metrics port). */
export class AdmissionMetrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'portcullis_admission_decisions_total', help: 'Admission decisions by result (Allow, Warn, Reject, NotJudged, Invalid, Error) and kind.',
    labelNames: ['result', 'kind'] as const, registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'portcullis_admission_duration_seconds', help: 'Time to answer an AdmissionReview, from body received to response written.',
    labelNames: ['result'] as const, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({
    name: 'portcullis_admission_cache_hits_total', help: 'Cache hits: digest (tag resolved earlier) and status (scan judged earlier).',
    labelNames: ['cache'] as const, registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: 'portcullis_admission_cache_misses_total', help: 'Cache misses: digest (registry asked) and status (stored scan judged).',
    labelNames: ['cache'] as const, registers: [this.registry],
  });
  readonly unknownImages = new Counter({
    name: 'portcullis_admission_unknown_images_total', help: 'Images with no stored scan result (unknownImageAction applied).', registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'portcullis_admission_scan_queue_depth', help: 'Background scans waiting or running.', registers: [this.registry],
  });
  readonly scans = new Counter({
    name: 'portcullis_admission_background_scans_total', help: 'Background scans finished, by result (stored, failed).',
    labelNames: ['result'] as const, registers: [this.registry],
  });
  readonly recordFailures = new Counter({
    name: 'portcullis_admission_record_failures_total', help: 'Decisions that could not be written to the store.', registers: [this.registry],
  });
  readonly policyReloads = new Counter({
    name: 'portcullis_policy_reloads_total', help: 'Policy file reloads, by result (ok, failed: the policy in force stays).',
    labelNames: ['result'] as const, registers: [this.registry],
  });
  readonly tlsReloads = new Counter({
    name: 'portcullis_tls_reloads_total', help: 'Serving certificate reloads, by result (ok, failed).',
    labelNames: ['result'] as const, registers: [this.registry],
  });

  private readonly decided = new Map<string, { inc(): void; observe(seconds: number): void }>();

  /** Count one answer and its latency; the labelled children are looked up once per label pair. */
  answered(result: string, kind: string, seconds: number): void {
    const key = `${result}\u0000${kind}`;
    let c = this.decided.get(key);
    if (!c) {
      const counter = this.decisions.labels(result, kind);
      const histogram = this.latency.labels(result);
      c = { inc: () => counter.inc(), observe: (s) => histogram.observe(s) };
      // Kinds come from requests: bounded so a stream of made-up kinds cannot grow it.
      if (this.decided.size < 256) this.decided.set(key, c);
    }
    c.inc();
    c.observe(seconds);
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'portcullis_' });
  }
}
