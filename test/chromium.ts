/**
 * Headless Chromium (Debian's `chromium`) for tests, without Playwright: `--dump-dom` for
 * rendering checks, and a small Chrome DevTools Protocol client over the browser's loopback
 * WebSocket for real input (typing, clicking) and for watching network requests.
 *
 * Use with `needs('chromium')` as the test's skip option.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = 'chromium';
const STARTUP_TIMEOUT_MS = 20_000;
const COMMAND_TIMEOUT_MS = 20_000;

/** Flags for a quiet, isolated, loopback-only browser; every run gets a fresh profile. */
function flags(profile: string): string[] {
  return [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`,
  ];
}

function freshProfile(): string {
  return mkdtempSync(join(tmpdir(), 'portcullis-chromium-'));
}

/** The DOM after the page's scripts ran, serialised (`chromium --dump-dom`). */
export function dumpDom(url: string, timeoutMs = 30_000): Promise<string> {
  const profile = freshProfile();
  return new Promise<string>((resolve, reject) => {
    execFile(CHROMIUM, [...flags(profile), '--dump-dom', url], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (err) reject(new Error(`chromium --dump-dom failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
  sessionId?: string;
}

type Listener = (params: Record<string, unknown>, sessionId: string | undefined) => void;

/** A CDP connection: numbered commands with replies, events to listeners; flat sessions. */
class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as CdpMessage;
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result ?? {});
      } else if (msg.method) {
        for (const l of this.listeners.get(msg.method) ?? []) l(msg.params ?? {}, msg.sessionId);
      }
    });
    ws.addEventListener('close', () => {
      for (const p of this.pending.values()) p.reject(new Error(`${p.method}: connection closed`));
      this.pending.clear();
    });
  }

  static connect(url: string): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener('open', () => resolve(new Cdp(ws)), { once: true });
      ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no reply in ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, {
        method,
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.ws.send(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }));
    });
  }

  on(method: string, listener: Listener): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    this.ws.close();
  }
}

export interface Page {
  /** Every URL the page requested since the last goto (document, subresources, navigations). */
  readonly requests: string[];
  /** Uncaught exceptions, console errors and browser log entries (CSP violations among them). */
  readonly errors: string[];
  /** JavaScript dialogs (alert/confirm/prompt) the page tried to open. */
  readonly dialogs: string[];
  goto(url: string): Promise<void>;
  /** Evaluate an expression in the page; the value comes back as JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /** A real mouse click at the centre of the first element matching `selector`. */
  click(selector: string): Promise<void>;
  /** Focus the element with a click, then type `text` key by key. */
  type(selector: string, text: string): Promise<void>;
  /** Press a non-text key, e.g. 'Backspace', `times` times. */
  press(key: 'Backspace', times?: number): Promise<void>;
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

const KEY_CODES: Record<string, number> = { Backspace: 8 };

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

/** Start a headless Chromium with remote debugging on a free loopback port. */
export async function launchChromium(): Promise<Browser> {
  const profile = freshProfile();
  const child = spawn(CHROMIUM, [...flags(profile), '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  const cleanup = async () => {
    if (!(await waitForExit(child, 5000)) && child.pid) {
      child.kill('SIGKILL');
      await waitForExit(child, 5000);
    }
    rmSync(profile, { recursive: true, force: true });
  };
  let cdp: Cdp;
  try {
    // Chromium writes the port it chose and the browser target's path to DevToolsActivePort.
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    let endpoint: string | undefined;
    while (!endpoint) {
      if (child.exitCode !== null) throw new Error(`chromium exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`chromium did not start in ${STARTUP_TIMEOUT_MS} ms: ${stderr}`);
      try {
        const [port, path] = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n');
        if (port && path) endpoint = `ws://127.0.0.1:${port.trim()}${path.trim()}`;
      } catch {
        // not written yet
      }
      if (!endpoint) await new Promise((r) => setTimeout(r, 50));
    }
    cdp = await Cdp.connect(endpoint);
  } catch (e) {
    child.kill('SIGKILL');
    await cleanup();
    throw e;
  }

  async function newPage(): Promise<Page> {
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const send = (method: string, params: Record<string, unknown> = {}) => cdp.send(method, params, sessionId);
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    const mine = (fn: (p: Record<string, unknown>) => void): Listener => (p, s) => { if (s === sessionId) fn(p); };
    cdp.on('Network.requestWillBeSent', mine((p) => requests.push(String((p.request as { url: string }).url))));
    cdp.on('Runtime.exceptionThrown', mine((p) => errors.push(JSON.stringify(p.exceptionDetails))));
    cdp.on('Runtime.consoleAPICalled', mine((p) => { if (p.type === 'error') errors.push(JSON.stringify(p.args)); }));
    cdp.on('Log.entryAdded', mine((p) => {
      const entry = p.entry as { level: string; text: string; source: string };
      if (entry.level === 'error' || entry.source === 'security') errors.push(`${entry.source}: ${entry.text}`);
    }));
    cdp.on('Page.javascriptDialogOpening', mine((p) => {
      dialogs.push(String(p.message));
      void send('Page.handleJavaScriptDialog', { accept: false });
    }));
    await Promise.all([send('Page.enable'), send('Network.enable'), send('Runtime.enable'), send('Log.enable')]);

    async function evaluate<T>(expression: string): Promise<T> {
      const r = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
        result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } };
      };
      if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value as T;
    }

    async function click(selector: string): Promise<void> {
      const box = await evaluate<{ x: number; y: number } | null>(`(() => {
        const el = document.querySelector(${JSON.stringify(selector)});
        if (!el) return null;
        el.scrollIntoView({ block: 'center' });
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return null;
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      })()`);
      if (!box) throw new Error(`no visible element matches ${selector}`);
      await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: box.x, y: box.y });
      await send('Input.dispatchMouseEvent', { type: 'mousePressed', x: box.x, y: box.y, button: 'left', clickCount: 1 });
      await send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: box.x, y: box.y, button: 'left', clickCount: 1 });
    }

    return {
      requests,
      errors,
      dialogs,
      async goto(url: string) {
        // What is collected describes the current document only.
        requests.length = 0;
        errors.length = 0;
        dialogs.length = 0;
        const loaded = new Promise<void>((resolve) => {
          const off = cdp.on('Page.loadEventFired', mine(() => { off(); resolve(); }));
        });
        const r = await send('Page.navigate', { url });
        if (r.errorText) throw new Error(`navigate ${url}: ${String(r.errorText)}`);
        await loaded;
      },
      evaluate,
      click,
      async type(selector: string, text: string) {
        await click(selector);
        for (const ch of text) {
          await send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch, unmodifiedText: ch });
          await send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch });
        }
      },
      async press(key, times = 1) {
        const code = KEY_CODES[key];
        for (let i = 0; i < times; i++) {
          await send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code });
          await send('Input.dispatchKeyEvent', { type: 'keyUp', key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code });
        }
      },
    };
  }

  return {
    newPage,
    async close() {
      try {
        await cdp.send('Browser.close');
      } catch {
        // already gone
      }
      cdp.close();
      await cleanup();
    },
  };
}
