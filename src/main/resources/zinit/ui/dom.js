// Tiny DOM helpers: elements are built with properties, never from HTML strings, so text from
// the server (service names, log lines) can never become markup.

/** h('button', {type: 'button', onclick}, 'Stop') */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && k !== 'list' && !k.startsWith('aria')) el[k] = v; // properties take false too
    else if (v !== false) el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Seconds as "3d 4h", "5h 2m", "4m 10s", "12s". */
export function duration(s) {
  if (s == null) return '';
  const d = Math.floor(s / 86400), hr = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60, sec = s % 60;
  if (d) return `${d}d ${hr}h`;
  if (hr) return `${hr}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

export function bytes(n) {
  if (n == null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n < 10 && i ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

/** The state's family, for its colour: "Error(Exited(...))" is an error. */
export function stateClass(state) {
  const s = String(state || 'Unknown');
  if (s === 'Running') return 'running';
  if (s === 'Success') return 'success';
  if (s.startsWith('Error') || s === 'Failure' || s === 'TestFailure') return 'failed';
  if (s === 'Spawned' || s === 'Blocked') return 'starting';
  return 'stopped';
}

/** The state in words, short enough for a table cell; the full text goes in the title. */
export function stateBadge(state) {
  const s = String(state || 'Unknown');
  const short = s.startsWith('Error(') ? 'Error' : s;
  return h('span', {class: `state ${stateClass(s)}`, title: s}, short);
}
