import { RegistryError } from '../../errors.ts';
import type { Credentials } from './credentials.ts';
import type { HttpResponse } from './http.ts';

/**
 * Registry authentication as Docker does it: the registry's 401 carries a WWW-Authenticate
 * challenge; Basic sends the credentials to the registry, Bearer exchanges them (or nothing, for
 * anonymous access) for a token at the challenge's realm, scoped per repository and action.
 * Tokens are cached per scope until shortly before they expire, and dropped when the registry
 * refuses them.
 */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parse `Bearer realm="...",service="...",scope="..."` (several challenges may be listed, RFC 9110 §11.6.1). */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  const token = /[A-Za-z0-9!#$%&'*+.^_`|~-]+/y;
  let current: Challenge | undefined;
  let i = 0;
  const skip = (chars: RegExp) => { while (i < header.length && chars.test(header[i]!)) i++; };
  while (i < header.length) {
    skip(/[\s,]/);
    token.lastIndex = i;
    const name = token.exec(header)?.[0];
    if (!name) break;
    i += name.length;
    skip(/\s/);
    if (header[i] !== '=') {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    i++;
    skip(/\s/);
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\') i++;
        value += header[i] ?? '';
        i++;
      }
      i++;
    } else {
      token.lastIndex = i;
      value = token.exec(header)?.[0] ?? '';
      i += value.length;
    }
    if (current) current.params[name.toLowerCase()] = value;
  }
  return out;
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
}

/** What the token service answered (the spec allows `token` or `access_token`). */
export function parseTokenResponse(body: Buffer, what: string): { token: string; expiresInMs: number } {
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    doc = JSON.parse(body.toString('utf8')) as typeof doc;
  } catch {
    throw new RegistryError('BAD_RESPONSE', `${what}: token service did not answer JSON`);
  }
  const token = typeof doc.token === 'string' && doc.token ? doc.token : typeof doc.access_token === 'string' && doc.access_token ? doc.access_token : undefined;
  if (!token) throw new RegistryError('BAD_RESPONSE', `${what}: token service answered without a token`);
  // The spec's default lifetime is 60 s when expires_in is missing.
  const seconds = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
  return { token, expiresInMs: seconds * 1000 };
}

/** The scope a request needs: `repository:NAME:pull` or `repository:NAME:pull,push`. */
export function repositoryScope(repository: string, push = false): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}

interface CachedToken { header: string; expiresAt: number }

/** Per-scope token cache; an entry is used until 10 s (or a tenth of its life) before it expires. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  get(scope: string, now = Date.now()): string | undefined {
    const t = this.tokens.get(scope);
    if (t && t.expiresAt > now) return t.header;
    this.tokens.delete(scope);
    return undefined;
  }
  set(scope: string, token: string, expiresInMs: number, now = Date.now()): string {
    const header = `Bearer ${token}`;
    const margin = Math.min(10_000, expiresInMs / 10);
    this.tokens.set(scope, { header, expiresAt: now + expiresInMs - margin });
    return header;
  }
  drop(scope: string): void {
    this.tokens.delete(scope);
  }
}

/** Registry error bodies: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}. */
export function registryErrorDetail(body: Buffer): string | undefined {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = Array.isArray(doc.errors) ? doc.errors[0] : undefined;
    const text = first && typeof first.message === 'string' && first.message ? first.message : first && typeof first.code === 'string' ? first.code : undefined;
    // One printable line, bounded: it comes from the server.
    return text?.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 160) || undefined;
  } catch {
    return undefined;
  }
}

export function challengeFrom(res: HttpResponse): Challenge | undefined {
  const v = res.headers['www-authenticate'];
  const all = parseChallenges(Array.isArray(v) ? v.join(', ') : v);
  return all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic');
}
