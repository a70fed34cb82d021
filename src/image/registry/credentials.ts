import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from '../../errors.ts';

/**
 * Registry credentials from the files `docker login`, `podman login` and `skopeo login` write:
 * REGISTRY_AUTH_FILE (containers auth.json), then $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json (credHelpers, credsStore, auths). Secrets never go into error messages:
 * they name the file or helper, never its content.
 */

export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`identitytoken`, or a helper answering Username "<token>"). */
  identityToken?: string;
}

export interface CredentialSourceOptions {
  /** Environment to read REGISTRY_AUTH_FILE, DOCKER_CONFIG, HOME and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long a docker-credential helper may run (default 10 s). */
  helperTimeoutMs?: number;
}

/** The key Docker writes Docker Hub's entry under (and what its helpers are asked for). */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const MAX_CONFIG_BYTES = 1 << 20;
const MAX_HELPER_OUTPUT = 64 * 1024;

interface AuthEntry { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown }
interface ConfigFile { auths?: Record<string, AuthEntry>; credHelpers?: Record<string, unknown>; credsStore?: unknown }

/** The host a config key names: Docker writes `https://host/v1/`, `http://host`, or a bare `host`. */
function keyHost(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0]!.toLowerCase();
}

function sameRegistry(a: string, b: string): boolean {
  return a === b || (HUB_HOSTS.has(a) && HUB_HOSTS.has(b));
}

async function readConfig(path: string): Promise<ConfigFile | undefined> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) return undefined;
    size = s.size;
  } catch {
    return undefined;
  }
  if (size > MAX_CONFIG_BYTES) throw new RegistryError('BAD_CREDENTIALS_FILE', `${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new RegistryError('BAD_CREDENTIALS_FILE', `${path} is not valid JSON`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new RegistryError('BAD_CREDENTIALS_FILE', `${path} is not a JSON object`);
  return doc as ConfigFile;
}

function fromEntry(entry: AuthEntry, where: string): Credentials | undefined {
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) {
    return { identityToken: entry.identitytoken, ...(typeof entry.username === 'string' ? { username: entry.username } : {}) };
  }
  if (typeof entry.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new RegistryError('BAD_CREDENTIALS_FILE', `${where}: "auth" is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username) {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}

/**
 * The `auths` entry for a registry. Keys may carry a scheme and path (Docker) or a repository
 * namespace (containers auth.json: `host/org/repo`), in which case the longest prefix of
 * `registry/repository` wins over the bare host.
 */
function findAuthEntry(auths: Record<string, AuthEntry>, registry: string, repository: string | undefined): [string, AuthEntry] | undefined {
  let best: [string, AuthEntry] | undefined;
  let bestLength = -1;
  const full = `${registry}/${repository ?? ''}`;
  for (const [key, entry] of Object.entries(auths)) {
    if (!entry || typeof entry !== 'object') continue;
    const bare = key.replace(/^https?:\/\//, '');
    const slash = bare.indexOf('/');
    const namespace = slash >= 0 && !/^https?:\/\//.test(key) ? bare.slice(slash + 1).replace(/\/$/, '') : '';
    if (!sameRegistry(keyHost(key), registry)) continue;
    if (namespace && !(full === `${registry}/${namespace}` || full.startsWith(`${registry}/${namespace}/`))) continue;
    if (namespace.length > bestLength) {
      best = [key, entry];
      bestLength = namespace.length;
    }
  }
  return best;
}

/** What a helper is asked for: Docker Hub's legacy URL, otherwise the host as written in the config. */
function helperServer(registry: string): string {
  return HUB_HOSTS.has(registry) ? DOCKER_HUB_AUTH_KEY : registry;
}

/** Run `docker-credential-<name> get` (the docker-credential-helpers protocol). */
export async function runCredentialHelper(name: string, server: string, options: CredentialSourceOptions = {}): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new RegistryError('BAD_CREDENTIALS_FILE', `invalid credential helper name "${name.slice(0, 40)}"`);
  const program = `docker-credential-${name}`;
  const timeout = options.helperTimeoutMs ?? 10_000;
  const result = await new Promise<{ code: number | null; out: string; err?: NodeJS.ErrnoException; timedOut: boolean }>((resolve) => {
    let out = '';
    let timedOut = false;
    // Its own process group, so a helper that hangs is killed with whatever it started.
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env, detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code: null, out, timedOut });
    }, timeout);
    const collect = (c: Buffer) => {
      if (out.length < MAX_HELPER_OUTPUT) out += c.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, out, err, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(server);
  });
  if (result.err) {
    const why = result.err.code === 'ENOENT' ? 'is not on PATH' : `could not be run (${result.err.code ?? 'error'})`;
    throw new RegistryError('CREDENTIAL_HELPER', `credential helper ${program} ${why}`);
  }
  if (result.timedOut) throw new RegistryError('CREDENTIAL_HELPER', `credential helper ${program} did not answer within ${timeout / 1000} s`);
  if (result.code !== 0) {
    // The protocol's "not found" answer is a normal outcome: no credentials for this server.
    if (/credentials not found/i.test(result.out)) return undefined;
    throw new RegistryError('CREDENTIAL_HELPER', `credential helper ${program} failed (exit code ${result.code})`);
  }
  let doc: { Username?: unknown; Secret?: unknown };
  try {
    doc = JSON.parse(result.out) as typeof doc;
  } catch {
    throw new RegistryError('CREDENTIAL_HELPER', `credential helper ${program} did not answer JSON`);
  }
  if (typeof doc.Secret !== 'string' || doc.Secret === '') return undefined;
  if (doc.Username === '<token>') return { identityToken: doc.Secret };
  if (typeof doc.Username !== 'string') throw new RegistryError('CREDENTIAL_HELPER', `credential helper ${program} answered without a Username`);
  return { username: doc.Username, password: doc.Secret };
}

/** Paths searched, in order (for messages and docs). */
export function credentialFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  const home = env.HOME ?? homedir();
  files.push(join(env.DOCKER_CONFIG ?? join(home, '.docker'), 'config.json'));
  return files;
}

/**
 * Credentials for `registry` (host[:port], docker.io for Docker Hub), or undefined for anonymous
 * access. `repository` lets namespaced auth.json keys apply.
 */
export async function findCredentials(registry: string, repository?: string, options: CredentialSourceOptions = {}): Promise<Credentials | undefined> {
  const env = options.env ?? process.env;
  const host = registry.toLowerCase();
  for (const path of credentialFiles(env)) {
    const config = await readConfig(path);
    if (!config) continue;
    const helpers = config.credHelpers && typeof config.credHelpers === 'object' ? config.credHelpers : {};
    const helperKey = Object.keys(helpers).find((k) => sameRegistry(keyHost(k), host));
    const helper = helperKey !== undefined ? helpers[helperKey] : undefined;
    if (typeof helper === 'string' && helper) return runCredentialHelper(helper, helperServer(registry), { ...options, env });
    const found = config.auths && typeof config.auths === 'object' ? findAuthEntry(config.auths, host, repository) : undefined;
    const fromFile = found ? fromEntry(found[1], `${path} auths["${found[0]}"]`) : undefined;
    if (fromFile) return fromFile;
    if (typeof config.credsStore === 'string' && config.credsStore) {
      const stored = await runCredentialHelper(config.credsStore, found ? found[0] : helperServer(registry), { ...options, env });
      if (stored) return stored;
    }
  }
  return undefined;
}
