/**
 * KEY=VALUE files in the os-release(5) syntax, which lsb-release also follows: one assignment per
 * line, values unquoted or in shell-style single or double quotes (backslash escapes \" \\ \$ \`
 * inside double quotes), `#` comments and blank lines ignored. Unparsable lines are skipped, not
 * fatal: a release file is advisory, and a stray line must not hide the lines that are fine.
 */
export function parseKeyValue(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const value = unquote(line.slice(eq + 1).trim());
    if (value !== undefined) out.set(key, value);
  }
  return out;
}

function unquote(v: string): string | undefined {
  const q = v[0];
  if (q !== '"' && q !== "'") return v;
  let out = '';
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    if (c === q) return out;
    if (q === '"' && c === '\\' && i + 1 < v.length && '"\\$`'.includes(v[i + 1]!)) {
      out += v[++i];
      continue;
    }
    out += c;
  }
  return undefined; // unterminated quote
}
