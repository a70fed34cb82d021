/**
 * `imagePath` values are regular expressions in Go's RE2 syntax, matched unanchored against the
 * image reference (Go's regexp.MatchString). JavaScript's engine backtracks, so a pattern RE2
 * runs in linear time can take exponential time here. We therefore compile each pattern once,
 * at load time, and refuse what could blow up or would mean something else than in Calico:
 * - longer than MAX_IMAGE_PATH_PATTERN characters;
 * - backreferences and lookaround (not RE2: Calico would have rejected them), and letter
 *   escapes JavaScript would read differently (`\z`, `\A`, `\pL` mean other things here);
 * - a repeated group that itself contains a repetition, like `(a+)+` or `(\w+-)*` — the
 *   classic catastrophic-backtracking shape.
 * RE2's leading `(?i)` (and other flag groups `(?flags)` at the very start) map to JS flags.
 */

export const MAX_IMAGE_PATH_PATTERN = 512;

export type CompileResult = { regex: RegExp } | { error: string };

/** Translate a leading RE2 flag group; JS has no inline whole-pattern flags. */
function leadingFlags(pattern: string): { body: string; flags: string } | { error: string } {
  const m = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (!m) return { body: pattern, flags: '' };
  let flags = '';
  for (const f of m[1] as string) {
    if (f === 'i') flags += 'i';
    else if (f === 's') flags += 's';
    else if (f === 'm') flags += 'm';
    else if (f === 'U') return { error: 'the (?U) flag (ungreedy by default) is not supported' };
    else return { error: `unknown flag ${f} in (?${m[1]})` };
  }
  return { body: pattern.slice(m[0].length), flags: [...new Set(flags)].join('') };
}

/**
 * Scan the pattern's structure: find non-RE2 constructs and repeated groups that contain
 * repetition. Works on the source text, tracking escapes, character classes and groups.
 */
function structuralProblem(p: string): string | undefined {
  // For each open group: does it contain an unbounded or multi-repeat quantifier?
  const stack: boolean[] = [];
  let inClass = false;
  let lastGroupHadRepeat = false;
  let afterGroupClose = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if (!inClass && n !== undefined && /[1-9]/.test(n)) return 'backreferences (\\1 …) are not RE2 syntax';
      if (!inClass && n === 'k' && p[i + 2] === '<') return 'named backreferences are not RE2 syntax';
      // Letters JavaScript would silently read as themselves (\z, \A, \p without the u flag):
      // refuse them rather than match something other than what Calico matched.
      if (n !== undefined && /[a-zA-Z]/.test(n) && !'dDwWsSbBnrtfvx'.includes(n)) return `the escape \\${n} is not supported`;
      i++;
      afterGroupClose = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    const repeat = quantifierAt(p, i);
    if (repeat !== undefined) {
      if (repeat.repeats) {
        if (afterGroupClose && lastGroupHadRepeat) {
          return 'a repeated group contains a repetition (like (a+)+), which can take exponential time to match';
        }
        if (stack.length > 0) stack[stack.length - 1] = true;
      }
      i += repeat.length - 1;
      afterGroupClose = false;
      continue;
    }
    afterGroupClose = false;
    if (c === '[') {
      inClass = true;
      if (p[i + 1] === '^') i++;
      if (p[i + 1] === ']') i++; // a leading ] is literal
    } else if (c === '(') {
      if (p[i + 1] === '?') {
        const rest = p.slice(i + 2, i + 4);
        if (rest.startsWith('=') || rest.startsWith('!') || rest === '<=' || rest === '<!') {
          return 'lookahead and lookbehind are not RE2 syntax';
        }
      }
      stack.push(false);
    } else if (c === ')') {
      const had = stack.pop() ?? false;
      lastGroupHadRepeat = had;
      afterGroupClose = true;
      if (had && stack.length > 0) stack[stack.length - 1] = true;
    }
  }
  return undefined;
}

/** A quantifier starting at i: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, with an optional lazy `?`. */
function quantifierAt(p: string, i: number): { length: number; repeats: boolean } | undefined {
  const c = p[i];
  let length: number;
  let repeats: boolean;
  if (c === '*' || c === '+') {
    length = 1;
    repeats = true;
  } else if (c === '?') {
    length = 1;
    repeats = false;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (!m) return undefined;
    length = m[0].length;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max > 1;
  } else {
    return undefined;
  }
  if (p[i + length] === '?') length++;
  return { length, repeats };
}

export function compileImagePath(pattern: string): CompileResult {
  if (pattern.length > MAX_IMAGE_PATH_PATTERN) {
    return { error: `is longer than ${MAX_IMAGE_PATH_PATTERN} characters` };
  }
  const lf = leadingFlags(pattern);
  if ('error' in lf) return lf;
  // RE2 (and Go) write named groups (?P<name>…); JavaScript writes (?<name>…).
  const body = lf.body.replaceAll('(?P<', '(?<');
  const problem = structuralProblem(body);
  if (problem) return { error: problem };
  try {
    return { regex: new RegExp(body, lf.flags) };
  } catch (err) {
    const msg = err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err);
    return { error: `is not a valid regular expression: ${msg}` };
  }
}
