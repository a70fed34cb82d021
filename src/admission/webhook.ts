import type { Logger } from 'pino';
import type { PolicySet, UnknownImageAction } from '../policy/index.ts';
import { ResultStore } from '../store/index.ts';
import { Decider } from './decide.ts';
import { AdmissionHandler } from './handler.ts';
import { AdmissionMetrics } from './metrics.ts';
import { noNamespaceLabels } from './namespaces.ts';
import { watchPolicy } from './policy-watch.ts';
import type { NamespaceLabels } from './namespaces.ts';
import { DigestResolver } from './resolve.ts';
import type { ResolveDigest } from './resolve.ts';
import { ScanQueue } from './scan-queue.ts';
import type { ScanImage } from './scan-queue.ts';
import { WebhookServer } from './server.ts';
import { readTls, selfSignedTls, watchTls } from './tls.ts';
import type { TlsMaterial, TlsWatch } from './tls.ts';

/** Everything `portcullis webhook` runs, wired together; the CLI only parses flags into this. */

export type TlsSource =
  | { kind: 'files'; certFile: string; keyFile: string; pollMs?: number }
  | { kind: 'self-signed'; dir: string; service: string; namespace: string }
  | { kind: 'material'; material: TlsMaterial };

export interface WebhookOptions {
  policy: PolicySet;
  /** Reload the policy from this file when it changes (the CLI passes --policy). */
  policyFile?: string;
  policyPollMs?: number;
  /** The store file, or an open store (tests, benchmarks). */
  store: string | ResultStore;
  port: number;
  metricsPort: number;
  host?: string;
  tls: TlsSource;
  unknownImageAction?: UnknownImageAction;
  recheckOwnedPods?: boolean;
  namespaceLabels?: NamespaceLabels;
  resolveDigest?: ResolveDigest;
  /** Background scans for the `...AndScan` actions; without it those images are only rejected or warned about. */
  scanImage?: ScanImage;
  scanConcurrency?: number;
  scanQueueSize?: number;
  exceptionContact?: string;
  /** What to answer when the webhook itself fails (default closed: deny). */
  failureMode?: 'open' | 'closed';
  logger?: Logger;
  /** Process metrics (CPU, memory, event loop) in /metrics; off in tests. */
  processMetrics?: boolean;
}

export interface RunningWebhook {
  port: number;
  metricsPort: number;
  /** base64 CA bundle, with a self-signed certificate. */
  caBundle?: string;
  store: ResultStore;
  queue?: ScanQueue;
  metrics: AdmissionMetrics;
  decider: Decider;
  /** Write decisions still waiting in the batch (tests read the store right after a request). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const { logger } = options;
  const metrics = new AdmissionMetrics({ processMetrics: options.processMetrics ?? true });
  let tls: TlsMaterial;
  let caBundle: string | undefined;
  if (options.tls.kind === 'files') tls = await readTls(options.tls.certFile, options.tls.keyFile);
  else if (options.tls.kind === 'self-signed') {
    const s = await selfSignedTls(options.tls.dir, { service: options.tls.service, namespace: options.tls.namespace });
    tls = s;
    caBundle = s.caBundle;
    logger?.info({ dir: options.tls.dir, created: s.created, caBundle }, 'self-signed serving certificate');
  } else tls = options.tls.material;

  const ownStore = typeof options.store === 'string';
  const store = typeof options.store === 'string' ? ResultStore.open(options.store) : options.store;
  const queue = options.scanImage
    ? new ScanQueue(options.scanImage, (r) => store.putScan(r), {
      ...(options.scanConcurrency ? { concurrency: options.scanConcurrency } : {}),
      ...(options.scanQueueSize ? { maxQueued: options.scanQueueSize } : {}),
      onDepth: (d) => metrics.queueDepth.set(d),
      onDone: (ref, r) => {
        metrics.scans.inc({ result: 'stored' });
        logger?.info({ image: ref, digest: r.artifact.digest, findings: r.findings?.length }, 'background scan stored');
      },
      onError: (ref, err) => {
        metrics.scans.inc({ result: 'failed' });
        logger?.warn({ image: ref, error: (err as Error)?.message }, 'background scan failed');
      },
    })
    : undefined;
  const namespaces = options.namespaceLabels ?? noNamespaceLabels();
  const decider = new Decider({
    policy: options.policy,
    store,
    ...(options.unknownImageAction ? { unknownImageAction: options.unknownImageAction } : {}),
    recheckOwnedPods: options.recheckOwnedPods ?? false,
    namespaceLabels: (ns) => namespaces.labels(ns),
    resolver: new DigestResolver(options.resolveDigest),
    ...(queue ? { queue } : {}),
    events: {
      cacheHit: (cache) => metrics.cacheHits.inc({ cache }),
      cacheMiss: (cache) => metrics.cacheMisses.inc({ cache }),
      unknownImage: () => metrics.unknownImages.inc(),
    },
  });
  const handler = new AdmissionHandler({
    decider, store, metrics, ...(logger ? { logger } : {}), failOpen: options.failureMode === 'open', batchDecisions: true,
    ...(options.exceptionContact ? { exceptionContact: options.exceptionContact } : {}),
  });
  const server = new WebhookServer({
    handler, metrics, tls, port: options.port, metricsPort: options.metricsPort,
    ...(options.host ? { host: options.host } : {}), ...(logger ? { logger } : {}),
    ready: () => namespaces.ready(),
  });
  let watch: TlsWatch | undefined;
  if (options.tls.kind === 'files') {
    watch = watchTls(options.tls.certFile, options.tls.keyFile, (m) => {
      server.setTls(m);
      metrics.tlsReloads.inc({ result: 'ok' });
      logger?.info('serving certificate reloaded');
    }, {
      ...(options.tls.pollMs ? { intervalMs: options.tls.pollMs } : {}),
      onError: (err) => {
        metrics.tlsReloads.inc({ result: 'failed' });
        logger?.warn({ error: (err as Error)?.message }, 'serving certificate not reloaded (will retry)');
      },
    });
  }
  const policyWatch = options.policyFile
    ? watchPolicy(options.policyFile, (p) => {
      decider.setPolicy(p);
      metrics.policyReloads.inc({ result: 'ok' });
      logger?.info({ policy: options.policyFile, unknownImageAction: decider.unknownImageAction }, 'policy reloaded');
    }, {
      ...(options.policyPollMs ? { intervalMs: options.policyPollMs } : {}),
      onError: (err) => {
        metrics.policyReloads.inc({ result: 'failed' });
        logger?.error({ policy: options.policyFile, error: (err as Error)?.message }, 'policy not reloaded: the policy in force stays');
      },
    })
    : undefined;
  const { port, metricsPort } = await server.listen();
  logger?.info({ port, metricsPort, unknownImageAction: decider.unknownImageAction, policy: options.policy.file }, 'webhook listening');
  return {
    port, metricsPort, store, metrics, decider,
    flush: () => handler.flush(),
    ...(caBundle ? { caBundle } : {}),
    ...(queue ? { queue } : {}),
    async close() {
      watch?.stop();
      policyWatch?.stop();
      await server.close();
      await handler.close();
      await queue?.close();
      await namespaces.stop();
      if (ownStore) store.close();
    },
  };
}
