/**
 * Path patterns of `.trivyignore.yaml` `paths`, with the doublestar syntax Trivy uses:
 * `*` any run of characters within one path segment, `?` one character other than `/`,
 * `**` as a whole segment any number of segments (zero included), `[abc]`, `[a-z]`, `[!abc]`
 * or `[^abc]` one character of (or not of) a class, `{a,b}` alternatives (nesting allowed),
 * `\` escapes the next character. Paths are compared as the image stores them, relative to its
 * root (`usr/lib/...`); a leading `/` on either side is ignored.
 */

const LITERAL = /[.+^${}()|[\]\\*?/]/g;
export const MAX_PATH_PATTERN = 4096;

export class GlobSyntaxError extends Error {}

export function pathGlobToRegExp(pattern: string): RegExp {
  if (pattern.length > MAX_PATH_PATTERN) throw new GlobSyntaxError(`longer than ${MAX_PATH_PATTERN} characters`);
  const p = pattern.replace(/^\/+/, '');
  let i = 0;
  let depth = 0;
  let out = '';
  const segmentStart = (): boolean => i === 0 || p[i - 1] === '/';
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      if (i + 1 >= p.length) throw new GlobSyntaxError('ends with an unfinished escape');
      out += p[i + 1]!.replace(LITERAL, '\\$&');
      i += 2;
    } else if (c === '*') {
      if (p[i + 1] === '*' && segmentStart() && (i + 2 === p.length || p[i + 2] === '/')) {
        // `**/` is zero or more whole segments; a trailing `**` is everything below.
        if (i + 2 === p.length) out += '.*';
        else out += '(?:[^/]*/)*';
        i += i + 2 === p.length ? 2 : 3;
      } else {
        out += '[^/]*';
        while (p[i] === '*') i++;
      }
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) throw new GlobSyntaxError('has an unclosed [');
      let body = p.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') throw new GlobSyntaxError('has an empty character class');
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end + 1;
    } else if (c === '{') {
      depth++;
      out += '(?:';
      i++;
    } else if (c === ',' && depth > 0) {
      out += '|';
      i++;
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
      i++;
    } else {
      out += c.replace(LITERAL, '\\$&');
      i++;
    }
  }
  if (depth > 0) throw new GlobSyntaxError('has an unclosed {');
  return new RegExp(`^${out}$`, 's');
}

export function matchesPath(re: RegExp, path: string): boolean {
  return re.test(path.replace(/^\/+/, ''));
}
