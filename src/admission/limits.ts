/**
 * Limits on what the webhook accepts. kube-apiserver caps a request body at 3 MiB and an object
 * in etcd at 1.5 MiB, so a real AdmissionReview (object and oldObject) fits in 3 MiB; anything
 * bigger, deeper or with more containers than this is not something kube-apiserver sends.
 */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Kubernetes objects nest a dozen levels; JSON deeper than this is hostile. */
export const MAX_JSON_DEPTH = 100;
/** Containers (init, regular and ephemeral together) of one pod template. */
export const MAX_CONTAINERS = 256;
/** The denial message kube-apiserver shows; kept short enough to read in `kubectl` and Argo CD. */
export const MAX_MESSAGE_BYTES = 1024;
/** Warning lines per response (kube-apiserver keeps about 4 KiB of them). */
export const MAX_WARNINGS = 10;
/** One line per image, cut to this. */
export const MAX_WARNING_CHARS = 240;
/** Worst findings named per rejected image. */
export const MAX_FINDINGS_IN_MESSAGE = 3;
