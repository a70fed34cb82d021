import { UsageError } from '../errors.ts';

/**
 * Image references as Docker and the OCI distribution spec write them, plus the transports
 * skopeo users know (oci:, oci-archive:, docker-archive:). Parsing is pure: no file or network
 * access, so `gate --list-images` can normalise thousands of references cheaply.
 */

export const DOCKER_HUB = 'docker.io';
const LEGACY_HUB_NAMES = new Set(['index.docker.io', 'registry-1.docker.io']);

export interface RegistryRef {
  transport: 'registry';
  /** Registry host with optional port, normalised (docker.io for Docker Hub). */
  registry: string;
  /** Repository path, normalised (library/alpine for Docker Hub official images). */
  repository: string;
  tag?: string;
  digest?: string;
}

export interface LayoutRef {
  transport: 'oci' | 'oci-archive' | 'docker-archive';
  path: string;
  /** oci/oci-archive: the org.opencontainers.image.ref.name to pick; docker-archive: a RepoTag. */
  ref?: string;
}

export type ImageRef = RegistryRef | LayoutRef;

// Grammar from the distribution reference package (docker/distribution reference/regexp.go).
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const PATH_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const MAX_NAME_LENGTH = 255;

/** Parse any reference form; throws UsageError with the reason when it is not one. */
export function parseImageRef(input: string): ImageRef {
  const s = input.trim();
  if (s === '') throw new UsageError('BAD_REFERENCE', 'empty image reference');
  for (const transport of ['oci-archive', 'oci', 'docker-archive'] as const) {
    if (s.startsWith(`${transport}:`)) return parseLayoutRef(transport, s.slice(transport.length + 1), input);
  }
  return parseRegistryRef(s.startsWith('docker://') ? s.slice('docker://'.length) : s);
}

function parseLayoutRef(transport: LayoutRef['transport'], rest: string, input: string): LayoutRef {
  // As skopeo and containers/image do: PATH[:REF] splits at the first colon, so a path cannot
  // contain one, and a REF may (docker-archive:img.tar:alpine:3.20).
  const colon = rest.indexOf(':');
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  const ref = colon >= 0 ? rest.slice(colon + 1) : '';
  if (path === '') throw new UsageError('BAD_REFERENCE', `${input}: missing path`);
  return ref === '' ? { transport, path } : { transport, path, ref };
}

/** Parse a registry reference (`[host[:port]/]repo[:tag][@digest]`), normalised as Docker does. */
export function parseRegistryRef(s: string): RegistryRef {
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new UsageError('BAD_REFERENCE', `${s}: invalid digest "${digest}"`);
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      throw new UsageError('BAD_REFERENCE', `${s}: sha256 digest must be 64 lowercase hex characters`);
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG_RE.test(tag)) throw new UsageError('BAD_REFERENCE', `${s}: invalid tag "${tag}"`);
  }
  if (rest === '') throw new UsageError('BAD_REFERENCE', `${s}: missing repository name`);
  if (rest.length > MAX_NAME_LENGTH) {
    throw new UsageError('BAD_REFERENCE', `${s}: repository name longer than ${MAX_NAME_LENGTH} characters`);
  }

  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // Docker's rule: the first component is a registry when it looks like a host.
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!DOMAIN_RE.test(first)) throw new UsageError('BAD_REFERENCE', `${s}: invalid registry host "${first}"`);
      registry = LEGACY_HUB_NAMES.has(first) ? DOCKER_HUB : first;
      repository = rest.slice(slash + 1);
    }
  }
  if (!PATH_RE.test(repository)) {
    const hint = repository !== repository.toLowerCase() ? ' (repository names must be lowercase)' : '';
    throw new UsageError('BAD_REFERENCE', `${s}: invalid repository name "${repository}"${hint}`);
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!tag && !digest) tag = 'latest';
  const ref: RegistryRef = { transport: 'registry', registry, repository };
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  return ref;
}

/** The canonical string form: docker.io/library/alpine:3.20, host:5000/a/b@sha256:..., oci:dir:tag */
export function formatImageRef(ref: ImageRef): string {
  if (ref.transport !== 'registry') return `${ref.transport}:${ref.path}${ref.ref ? `:${ref.ref}` : ''}`;
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Same repository, pinned to a digest (the tag dropped): what a runtime pulls. */
export function withDigest(ref: RegistryRef, digest: string): RegistryRef {
  return { transport: 'registry', registry: ref.registry, repository: ref.repository, digest };
}

/**
 * Hosts Docker talks to over plain HTTP without being told: loopback addresses. Anything else
 * needs --insecure.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.split(':')[0];
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host ?? '');
}
