import { formatImageRef, parseRegistryRef } from '../image/index.ts';
import type { RegistryRef } from '../image/index.ts';
import type { Finding } from '../match/types.ts';
import { evaluateAdmission } from '../policy/index.ts';
import type { AdmissionAction, Labels, PolicySet, ScanStatus, UnknownImageAction } from '../policy/index.ts';
import type { ResultStore } from '../store/index.ts';
import { ExpiringLru } from './lru.ts';
import { DigestResolver } from './resolve.ts';
import type { AdmissionRequest } from './review.ts';
import type { EnqueueResult, ScanQueue } from './scan-queue.ts';
import { judgeScan } from './status.ts';
import type { ScanJudgement } from './status.ts';
import { defaultIsController, planReview } from './workload.ts';
import type { ContainerImage } from './workload.ts';

/**
 * The decision for one AdmissionReview request: every image needing a decision is resolved to a
 * digest, its stored scan judged by the policy (status at decision time), and the result put
 * through Calico's ContainerAdmissionPolicy with the namespace's labels. An image with no stored
 * result follows unknownImageAction instead of the policies: the policies judge scan results,
 * and "no result" is a different question with its own answer (Reject by default).
 *
 * Nothing here scans synchronously: the `...AndScan` actions queue a background scan.
 */

export interface DecisionEvents {
  cacheHit?: (cache: 'digest' | 'status') => void;
  cacheMiss?: (cache: 'digest' | 'status') => void;
  unknownImage?: () => void;
}

export interface DeciderOptions {
  policy: PolicySet;
  store: ResultStore;
  /** Overrides the policy file's unknownImageAction (the --unknown-image-action flag). */
  unknownImageAction?: UnknownImageAction;
  recheckOwnedPods?: boolean;
  isController?: (user: string) => boolean;
  /** Labels of a namespace; undefined when unknown (the automatic name labels still apply). */
  namespaceLabels?: (namespace: string) => Labels | undefined;
  resolver?: DigestResolver;
  queue?: ScanQueue;
  now?: () => Date;
  events?: DecisionEvents;
  /** How long a judged scan is reused before being judged again (the clock matters: expiry, DB age). */
  statusTtlMs?: number;
}

export type ImageSource = 'store' | 'unknown' | 'error';

export interface ImageVerdict {
  container: string;
  /** As written in the spec. */
  image: string;
  /** Normalised reference (`docker.io/library/nginx:1.27`), when it parses. */
  reference?: string;
  digest?: string;
  source: ImageSource;
  status: ScanStatus;
  action: AdmissionAction;
  /** What decided, in Calico's words, or the unknownImageAction and why the image is unknown. */
  rule: string;
  /** Why the status is what it is (empty for Pass). */
  reasons: string[];
  worst: Finding[];
  lastScan?: Date;
  /** For unknown images under a `...AndScan` action. */
  scan?: EnqueueResult | 'dry-run' | 'unavailable';
}

export type Outcome =
  | { judged: false; why: string; action: 'Allow' }
  | { judged: true; kind: string; action: AdmissionAction; allowed: boolean; images: ImageVerdict[]; invalid?: string };

const UNKNOWN_OUTCOME: Record<UnknownImageAction, AdmissionAction> = {
  Reject: 'Reject', RejectAndScan: 'Reject', Warn: 'Warn', WarnAndScan: 'Warn', Allow: 'Allow',
};

const MAX_PARSED_IMAGES = 4096;

const worstAction = (actions: AdmissionAction[]): AdmissionAction =>
  actions.includes('Reject') ? 'Reject' : actions.includes('Warn') ? 'Warn' : 'Allow';

export class Decider {
  private current: PolicySet;
  private unknownAction: UnknownImageAction;
  private readonly options: DeciderOptions;
  private readonly resolver: DigestResolver;
  private readonly admissions = new WeakMap<ScanJudgement, Map<string, { action: AdmissionAction; message: string }>>();
  private readonly judged = new ExpiringLru<string, { scanId: number | undefined; stamp: string; judgement: ScanJudgement | undefined }>(20_000);
  private readonly statusTtlMs: number;
  private readonly parsedImages = new Map<string, { ref: RegistryRef; reference: string } | null>();

  constructor(options: DeciderOptions) {
    this.options = options;
    this.current = options.policy;
    this.unknownAction = options.unknownImageAction ?? options.policy.unknownImageAction;
    this.resolver = options.resolver ?? new DigestResolver(undefined);
    this.statusTtlMs = options.statusTtlMs ?? 30_000;
  }

  get policy(): PolicySet {
    return this.current;
  }

  get unknownImageAction(): UnknownImageAction {
    return this.unknownAction;
  }

  /** Decide by a new policy from the next request on (everything judged by the old one is dropped). */
  setPolicy(policy: PolicySet): void {
    this.current = policy;
    this.unknownAction = this.options.unknownImageAction ?? policy.unknownImageAction;
    this.judged.clear();
  }

  async decide(req: AdmissionRequest): Promise<Outcome> {
    const plan = planReview(req, {
      recheckOwnedPods: this.options.recheckOwnedPods ?? false,
      isController: this.options.isController ?? defaultIsController,
    });
    if (!plan.judge) return { judged: false, why: plan.why, action: 'Allow' };
    // An UPDATE that changed no image (labels, replicas, annotations) asks nothing of the webhook.
    if (plan.images.length === 0) return { judged: false, why: 'no image needs a decision', action: 'Allow' };
    const now = this.options.now?.() ?? new Date();
    const namespaceLabels = this.options.namespaceLabels?.(req.namespace) ?? {};
    const workload = { labels: plan.labels, namespaceLabels, namespace: req.namespace };
    const labelsKey = JSON.stringify([plan.labels, namespaceLabels]);
    const images = await Promise.all(plan.images.map((c) => this.judgeImage(c, req, workload, labelsKey, now)));
    const action = worstAction(images.map((i) => i.action));
    return { judged: true, kind: plan.kind, action, allowed: action !== 'Reject', images };
  }

  private async judgeImage(
    c: ContainerImage, req: AdmissionRequest, workload: { labels: Labels; namespaceLabels: Labels; namespace: string }, labelsKey: string, now: Date,
  ): Promise<ImageVerdict> {
    const base = { container: c.container, image: c.image };
    const parsed = this.parseImage(c.image);
    // Nothing can be known of an image that is not a reference: never admitted.
    if (!parsed) return { ...base, source: 'error', status: 'Unknown', action: 'Reject', rule: 'not a valid image reference', reasons: [], worst: [] };
    const { ref, reference } = parsed;
    const resolved = await this.resolver.digestOf(ref, reference);
    if (!ref.digest) this.event(resolved.cached, 'digest');
    if ('error' in resolved) return this.unknown({ ...base, reference }, undefined, req, resolved.error);
    const digest = resolved.digest;
    const judgement = this.judgement(digest, reference, req.namespace, now);
    if (!judgement) return this.unknown({ ...base, reference, digest }, ref, req, 'no scan result is stored for this digest');
    // The policies' answer for this judged scan and these labels, reused while the judgement is
    // (its TTL bounds how far imageLastScan's clock can drift).
    let byLabels = this.admissions.get(judgement);
    if (!byLabels) this.admissions.set(judgement, byLabels = new Map());
    let decision = byLabels.get(labelsKey);
    if (!decision) {
      const d = evaluateAdmission(this.policy, workload, { image: reference, digest, status: judgement.status, lastScan: judgement.lastScan }, now);
      decision = { action: d.action, message: d.message };
      if (byLabels.size < 64) byLabels.set(labelsKey, decision);
    }
    return {
      ...base, reference, digest, source: 'store', status: judgement.status, action: decision.action, rule: decision.message,
      reasons: judgement.reasons, worst: judgement.worst, lastScan: judgement.lastScan,
    };
  }

  /** An image string parsed and normalised, remembered (the same few images come again and again). */
  private parseImage(image: string): { ref: RegistryRef; reference: string } | undefined {
    const known = this.parsedImages.get(image);
    if (known !== undefined) return known ?? undefined;
    let parsed: { ref: RegistryRef; reference: string } | null = null;
    try {
      if (image === image.trim() && image.length <= 1024) {
        const ref = Object.freeze(parseRegistryRef(image));
        parsed = Object.freeze({ ref, reference: formatImageRef(ref) });
      }
    } catch {
      parsed = null;
    }
    // Images come from requests: bounded, and simply started over when full.
    if (this.parsedImages.size >= MAX_PARSED_IMAGES) this.parsedImages.clear();
    this.parsedImages.set(image, parsed);
    return parsed ?? undefined;
  }

  private event(cached: boolean, cache: 'digest' | 'status'): void {
    if (cached) this.options.events?.cacheHit?.(cache);
    else this.options.events?.cacheMiss?.(cache);
  }

  /**
   * The stored scan judged, reused while the TTL runs and the store holds the same scan. While
   * the store's change stamp stays the same nothing was stored, so the store is not even asked.
   */
  private judgement(digest: string, reference: string, namespace: string, now: Date): ScanJudgement | undefined {
    const store = this.options.store;
    const stamp = store.changeStamp();
    const key = `${digest}\u0000${reference}\u0000${namespace}`;
    const hit = this.judged.get(key, now.getTime());
    if (hit && hit.stamp === stamp) {
      this.event(true, 'status');
      return hit.judgement;
    }
    const scanId = store.latestIdByDigest(digest);
    if (hit && hit.scanId === scanId) {
      hit.stamp = stamp;
      this.event(true, 'status');
      return hit.judgement;
    }
    this.event(false, 'status');
    const scan = scanId === undefined ? undefined : store.latestByDigest(digest);
    const judgement = scan ? judgeScan(scan, this.policy, reference, namespace, now) : undefined;
    // "No result" is cached too (until something is stored), so unknown images cost no query.
    this.judged.set(key, { scanId: scan?.id, stamp, judgement }, now.getTime() + this.statusTtlMs, now.getTime());
    return judgement;
  }

  private unknown(
    base: Pick<ImageVerdict, 'container' | 'image' | 'reference' | 'digest'>, ref: RegistryRef | undefined, req: AdmissionRequest, why: string,
  ): ImageVerdict {
    this.options.events?.unknownImage?.();
    const a = this.unknownAction;
    let scan: ImageVerdict['scan'];
    if (a.endsWith('AndScan')) {
      if (req.dryRun) scan = 'dry-run';
      else if (!this.options.queue || !ref || !base.digest) scan = 'unavailable';
      else scan = this.options.queue.enqueue(formatImageRef({ ...ref, digest: base.digest }), base.digest);
    }
    return {
      ...base, source: 'unknown', status: 'Unknown', action: UNKNOWN_OUTCOME[a], rule: `unknownImageAction ${a}: ${why}`,
      reasons: [], worst: [], ...(scan ? { scan } : {}),
    };
  }
}
