import type { Logger } from 'pino';
import type { ResultStore } from '../store/index.ts';
import type { Decider, Outcome } from './decide.ts';
import { DecisionLog } from './decision-log.ts';
import type { AdmissionMetrics } from './metrics.ts';
import { admissionResponse, decisionRecord, invalidResponse } from './response.ts';
import type { AdmissionReviewResponse, ResponseOptions } from './response.ts';
import { parseAdmissionReview, ReviewError } from './review.ts';
import type { AdmissionRequest } from './review.ts';
import { JUDGED_KINDS, WorkloadError } from './workload.ts';

export interface HandlerResult {
  /** HTTP status: 200 for every AdmissionReview answered, 4xx/5xx when the body could not be one. */
  httpStatus: number;
  body: AdmissionReviewResponse;
  /** For metrics and logs. */
  result: string;
  kind: string;
}

export interface HandlerOptions extends ResponseOptions {
  decider: Decider;
  store: ResultStore;
  metrics?: AdmissionMetrics;
  logger?: Logger;
  now?: () => Date;
  /**
   * `--failure-mode open`: when the webhook itself fails (the store unreadable, a bug), admit
   * with a warning instead of denying. Never for bad input: that is always denied.
   */
  failOpen?: boolean;
  /** Write decisions in batches (the server does; tests that read the store at once do not). */
  batchDecisions?: boolean;
}

/**
 * Body in, AdmissionReview out. Never throws and never allows by accident: a body that is not an
 * AdmissionReview gets a 4xx with an AdmissionReview-shaped denial; a spec no API server would
 * accept gets `allowed: false` with code 400; an internal failure a 500 denial (kube-apiserver
 * then applies the webhook's failurePolicy). Every judged request is recorded in the store.
 */
export class AdmissionHandler {
  private readonly options: HandlerOptions;
  private readonly log: DecisionLog | undefined;

  constructor(options: HandlerOptions) {
    this.options = options;
    if (options.batchDecisions) {
      this.log = new DecisionLog(options.store, {
        onError: (err, lost) => {
          // The answers went out: a full disk must not stop the cluster. Counted and logged.
          options.metrics?.recordFailures.inc(lost);
          options.logger?.error({ lost, error: (err as Error)?.message }, 'could not record decisions');
        },
      });
    }
  }

  /** Write decisions still waiting in the batch; resolves when they are in the store. */
  async flush(): Promise<void> {
    await this.log?.flush();
  }

  /** Flush and stop the decision writer. */
  async close(): Promise<void> {
    await this.log?.close();
  }

  async handle(body: Buffer): Promise<HandlerResult> {
    const started = process.hrtime.bigint();
    const out = await this.answer(body);
    const { metrics } = this.options;
    // Kinds come from the request: anything but the judged ones is "other", so a client sending
    // made-up kinds cannot grow the metrics without bound.
    const kind = out.kind === '' || JUDGED_KINDS.includes(out.kind) || out.kind === 'Pod/ephemeralcontainers' ? out.kind : 'other';
    metrics?.answered(out.result, kind, Number(process.hrtime.bigint() - started) / 1e9);
    return out;
  }

  private async answer(body: Buffer): Promise<HandlerResult> {
    let req: AdmissionRequest;
    try {
      req = parseAdmissionReview(body);
    } catch (err) {
      if (!(err instanceof ReviewError)) return this.failure(err, { uid: '', apiVersion: 'admission.k8s.io/v1' }, '');
      this.options.logger?.warn({ status: err.httpStatus, uid: err.uid || undefined, error: err.message }, 'bad admission request');
      return { httpStatus: err.httpStatus, body: invalidResponse(err, err.message, err.httpStatus), result: 'Invalid', kind: '' };
    }
    const kind = req.kind.kind;
    let outcome: Outcome;
    try {
      outcome = await this.options.decider.decide(req);
    } catch (err) {
      if (err instanceof WorkloadError) {
        this.options.logger?.warn({ uid: req.uid, kind, namespace: req.namespace, name: req.name, error: err.message }, 'invalid workload');
        return { httpStatus: 200, body: invalidResponse(req, `${kind} ${req.name}: ${err.message}`), result: 'Invalid', kind };
      }
      return this.failure(err, req, kind);
    }
    const response = admissionResponse(req, outcome, this.options);
    if (outcome.judged) {
      this.record(req, outcome);
      // Every decision is in the store and counted in the metrics; the log has a line for every
      // Warn and Reject, and for an Allow only at debug level — building and writing that line
      // cost about a third of an admitted request's own work.
      const { logger } = this.options;
      const level = outcome.action === 'Allow' ? 'debug' : 'info';
      if (logger?.isLevelEnabled(level)) logger[level]({
        uid: req.uid, user: req.user, operation: req.operation, kind: outcome.kind, namespace: req.namespace, name: req.name,
        dryRun: req.dryRun, verdict: outcome.action,
        images: outcome.images.map((i) => ({ image: i.reference ?? i.image, digest: i.digest, status: i.status, action: i.action })),
      }, 'admission decision');
    }
    return { httpStatus: 200, body: response, result: outcome.judged ? outcome.action : 'NotJudged', kind: outcome.judged ? outcome.kind : kind };
  }

  private record(req: AdmissionRequest, outcome: Outcome & { judged: true }): void {
    const record = decisionRecord(req, outcome, this.options.now?.() ?? new Date());
    if (this.log) {
      this.log.add(record);
      return;
    }
    try {
      this.options.store.recordDecision(record);
    } catch (err) {
      // The answer still goes out: a full disk must not stop the cluster. It is counted and logged.
      this.options.metrics?.recordFailures.inc();
      this.options.logger?.error({ uid: req.uid, error: (err as Error).message }, 'could not record the decision');
    }
  }

  private failure(err: unknown, req: Pick<AdmissionRequest, 'uid' | 'apiVersion'>, kind: string): HandlerResult {
    this.options.logger?.error({ uid: req.uid || undefined, error: (err as Error)?.message ?? String(err) }, 'admission request failed');
    if (this.options.failOpen && req.uid) {
      return {
        httpStatus: 200,
        body: {
          apiVersion: req.apiVersion, kind: 'AdmissionReview',
          response: {
            uid: req.uid, allowed: true,
            warnings: ['portcullis: the webhook could not judge this request (internal error); admitted by --failure-mode open'],
            auditAnnotations: { verdict: 'FailOpen' },
          },
        },
        result: 'FailOpen',
        kind,
      };
    }
    return { httpStatus: 500, body: invalidResponse(req, 'internal error: the request could not be judged', 500), result: 'Error', kind };
  }
}
