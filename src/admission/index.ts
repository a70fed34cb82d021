/**
 * The admission webhook: AdmissionReview in, a decision by the same policy code as `scan` and
 * `gate` out, over HTTPS; the manifests to install it.
 */
export { startWebhook } from './webhook.ts';
export type { RunningWebhook, TlsSource, WebhookOptions } from './webhook.ts';
export { Decider } from './decide.ts';
export type { DeciderOptions, ImageVerdict, Outcome } from './decide.ts';
export { AdmissionHandler } from './handler.ts';
export { parseAdmissionReview, ReviewError, ADMISSION_VERSIONS } from './review.ts';
export type { AdmissionRequest } from './review.ts';
export { admissionResponse, denialMessage } from './response.ts';
export type { AdmissionResponse, AdmissionReviewResponse } from './response.ts';
export { JUDGED_KINDS } from './workload.ts';
export { DigestResolver } from './resolve.ts';
export type { ResolveDigest } from './resolve.ts';
export { registryResolver } from './registry.ts';
export { ScanQueue } from './scan-queue.ts';
export type { ScanImage } from './scan-queue.ts';
export { readNamespaceLabels, parseNamespaceLabels, watchNamespaceLabels, noNamespaceLabels } from './namespaces.ts';
export type { NamespaceLabels } from './namespaces.ts';
export { selfSignedTls, readTls, serviceDnsNames } from './tls.ts';
export { AdmissionMetrics } from './metrics.ts';
export { MAX_BODY_BYTES, MAX_CONTAINERS, MAX_JSON_DEPTH, MAX_MESSAGE_BYTES } from './limits.ts';
export { BYPASS_LABEL, manifestsYaml, WEBHOOK_RULES, webhookManifests } from './manifests.ts';
export type { ManifestOptions } from './manifests.ts';
