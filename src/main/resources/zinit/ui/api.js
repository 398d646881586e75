// The JSON-RPC API over this page's own origin. The token lives in sessionStorage (this tab
// only) and travels in the Authorization header, never in a URL or a cookie.

const KEY = 'zinit.token';
let nextId = 1;

export class AuthError extends Error {}

/** Started by boot.js before the page's other modules are ready; taken once by the services view. */
export const early = {list: null};

/** A JSON-RPC error: the server's message, plus its hint and data when it sent them. */
export class ApiError extends Error {
  constructor(error) {
    super(error.message || 'request failed');
    this.code = error.code;
    this.data = error.data && typeof error.data === 'object' ? error.data : {};
    this.hint = this.data.hint || '';
  }
}

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

async function post(body, tok = token.get()) {
  let res;
  try {
    res = await fetch('../', {
      method: 'POST',
      headers: {'Authorization': `Bearer ${tok}`, 'Content-Type': 'application/json'},
      body: JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError({message: 'zinit is not answering (connection failed)', data: {hint: 'is zinit running and its HTTP server started?'}});
  }
  if (res.status === 401) throw new AuthError('the token was refused');
  if (res.status === 204) return null;
  if (!res.ok) throw new ApiError({message: `HTTP ${res.status}: ${(await res.text()).trim()}`});
  return res.json();
}

/** One call; resolves to its result or throws ApiError / AuthError. */
export async function call(method, params, tok) {
  const reply = await post({jsonrpc: '2.0', id: nextId++, method, params}, tok);
  if (reply.error) throw new ApiError(reply.error);
  return reply.result;
}

/** Many calls in one request; resolves to [{result} | {error: ApiError}] in the order given. */
export async function batch(calls) {
  if (calls.length === 0) return [];
  const first = nextId;
  nextId += calls.length;
  const replies = await post(calls.map(([method, params], i) => ({jsonrpc: '2.0', id: first + i, method, params})));
  const byId = new Map(replies.map((r) => [r.id, r]));
  return calls.map((_, i) => {
    const r = byId.get(first + i);
    if (!r) return {error: new ApiError({message: 'no reply'})};
    return r.error ? {error: new ApiError(r.error)} : {result: r.result};
  });
}

/**
 * Follows GET /logs (server-sent events) with fetch, because EventSource cannot send the
 * Authorization header. Calls onLine for each line until signal aborts; rejects on failure.
 */
export async function followLogs(name, onLine, signal) {
  const url = name ? `../logs?filter=${encodeURIComponent(name)}` : '../logs';
  const res = await fetch(url, {headers: {'Authorization': `Bearer ${token.get()}`}, signal, cache: 'no-store', credentials: 'omit'});
  if (res.status === 401) throw new AuthError('the token was refused');
  if (!res.ok) throw new ApiError({message: `log stream: HTTP ${res.status}: ${(await res.text()).trim()}`});
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    pending += value;
    let end;
    while ((end = pending.indexOf('\n\n')) >= 0) {
      const event = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
      if (data.length) onLine(data.join('\n'));
    }
  }
}

/** "[+] web: hello" -> {stream: 'stdout', service: 'web', text: 'hello'} */
export function parseLine(line) {
  const m = /^\[([+-])\] ([^:]*): ?(.*)$/s.exec(line);
  if (!m) return {stream: 'stdout', service: '', text: line};
  return {stream: m[1] === '-' ? 'stderr' : 'stdout', service: m[2], text: m[3]};
}

/** restart: the server's service_restart when it has one, else stop then start. */
export async function restart(name) {
  try {
    return await call('service_restart', {name});
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== -32601) throw e;
  }
  try {
    await call('service_stop', {name});
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== -32003) throw e; // already down: just start it
  }
  return call('service_start', {name});
}
