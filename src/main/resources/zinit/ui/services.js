// The services table: every service with its state, updated live, sortable and filterable.
import {batch, call, early, restart} from './api.js';
import {h, clear, duration, bytes, stateBadge, stateClass} from './dom.js';
import {confirmAction, flash, runAction} from './app.js';

const POLL_MS = 2000;

function takeEarly() {
  const list = early.list;
  early.list = null;
  return list;
}
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT', 'SIGKILL'];

/** Status and stats of every service in list (service_list's reply), in one batch request. */
export async function fetchDetails(list) {
  const names = Object.keys(list).sort();
  const replies = await batch(names.flatMap((name) => [['service_status', {name}], ['service_stats', {name}]]));
  return names.map((name, i) => {
    const st = replies[2 * i], stats = replies[2 * i + 1];
    const status = st.result ?? {name, state: list[name], target: '', pid: 0};
    return {...status, stats: status.pid && stats.result ? stats.result : null};
  });
}

/** Start, Stop, Restart and Kill for one service; onDone runs after each successful call. */
export function actionButtons(name, onDone) {
  const act = (label, fn, ask) => h('button', {
    type: 'button',
    class: ask ? 'danger' : '',
    'aria-label': `${label} ${name}`,
    onclick: async (e) => {
      const button = e.currentTarget;
      let extra = null;
      if (ask) {
        extra = ask();
        if (!(await confirmAction(extra.question, extra.node))) return button.focus();
      }
      if (await runAction(button, () => fn(extra))) onDone?.(label);
      button.focus();
    },
  }, label);
  const killPicker = () => {
    const select = h('select', {id: 'kill-signal'}, SIGNALS.map((s) => h('option', {value: s}, s)));
    return {question: `Send a signal to ${name}?`, node: h('label', {}, 'Signal ', select), get signal() { return select.value; }};
  };
  return h('div', {class: 'actions', role: 'group', 'aria-label': `Actions for ${name}`},
    act('Start', () => call('service_start', {name})),
    act('Stop', () => call('service_stop', {name}), () => ({question: `Stop ${name}? Its processes get their stop signal, then SIGKILL after the timeout.`})),
    act('Restart', () => restart(name), () => ({question: `Restart ${name}?`})),
    act('Kill', (x) => call('service_kill', {name, signal: x.signal}), killPicker));
}

const COLUMNS = [
  ['name', 'Name', (s) => s.name],
  ['state', 'State', (s) => s.state],
  ['target', 'Target', (s) => s.target],
  ['pid', 'PID', (s) => s.pid || 0],
  ['uptime', 'Uptime', (s) => s.uptime ?? -1],
  ['restarts', 'Restarts', (s) => s.restarts ?? 0],
  ['cpu', 'CPU', (s) => s.stats?.total_cpu_usage ?? -1],
  ['memory', 'Memory', (s) => s.stats?.total_memory_usage ?? -1],
];

export function servicesView(root) {
  let sort = {key: 'name', dir: 1};
  let data = [];
  const rows = new Map(); // name -> {tr, cells}
  const filter = h('input', {type: 'search', id: 'filter', placeholder: 'name or state', autocomplete: 'off', oninput: () => render()});
  const counts = h('p', {class: 'counts', id: 'counts', 'aria-live': 'polite'});
  const tbody = h('tbody');
  const headRow = h('tr', {}, COLUMNS.map(([key, label]) => h('th', {scope: 'col', dataset: {key}},
    h('button', {type: 'button', class: 'sort', onclick: () => { sort = {key, dir: sort.key === key ? -sort.dir : 1}; render(); }}, label))),
    h('th', {scope: 'col'}, 'Actions'));
  const table = h('table', {class: 'services', id: 'services'}, h('caption', {class: 'sr'}, 'Services, live'), h('thead', {}, headRow), tbody);
  const empty = h('p', {class: 'empty', hidden: true}, 'No service matches the filter.');
  root.append(
    h('div', {class: 'toolbar'}, h('h2', {}, 'Services'), counts),
    h('div', {class: 'toolbar'}, h('label', {for: 'filter'}, 'Filter'), filter, h('a', {href: '#/new', class: 'button'}, 'New service')),
    h('div', {class: 'table-wrap'}, table), empty);

  function row(name) {
    let r = rows.get(name);
    if (r) return r;
    const cells = Object.fromEntries(COLUMNS.map(([key, label]) => [key, h('td', {dataset: {label, key}})]));
    cells.name.append(h('a', {href: `#/service/${encodeURIComponent(name)}`}, name));
    const tr = h('tr', {dataset: {name}}, Object.values(cells), h('td', {class: 'actions-cell'}, actionButtons(name, refresh)));
    r = {tr, cells, shown: {}};
    rows.set(name, r);
    return r;
  }

  // Cells change only when their text does, so focus and selection survive each refresh.
  function set(r, key, value, node) {
    if (r.shown[key] === value) return;
    r.shown[key] = value;
    clear(r.cells[key]).append(node ?? value);
  }

  function render() {
    const q = filter.value.trim().toLowerCase();
    const by = COLUMNS.find((c) => c[0] === sort.key)[2];
    const shown = data.filter((s) => !q || s.name.toLowerCase().includes(q) || String(s.state).toLowerCase().includes(q));
    shown.sort((a, b) => { const x = by(a), y = by(b); return (x < y ? -1 : x > y ? 1 : 0) * sort.dir || a.name.localeCompare(b.name); });
    for (const th of headRow.children) {
      if (!th.dataset.key) continue;
      if (th.dataset.key === sort.key) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    const wanted = shown.map((s) => row(s.name).tr);
    const present = [...tbody.children];
    if (wanted.length !== present.length || wanted.some((tr, i) => tr !== present[i])) tbody.replaceChildren(...wanted);
    for (const s of shown) {
      const r = row(s.name);
      r.tr.dataset.state = stateClass(s.state);
      set(r, 'state', s.state, stateBadge(s.state));
      set(r, 'target', s.target);
      set(r, 'pid', s.pid ? String(s.pid) : '–');
      set(r, 'uptime', duration(s.uptime) || '–');
      set(r, 'restarts', String(s.restarts ?? 0));
      set(r, 'cpu', s.stats ? `${s.stats.total_cpu_usage.toFixed(1)} %` : '–');
      set(r, 'memory', s.stats ? bytes(s.stats.total_memory_usage) : '–');
    }
    empty.hidden = shown.length > 0 || data.length === 0;
    const n = (f) => data.filter(f).length;
    const text = `${data.length} services · ${n((s) => s.state === 'Running')} running · ` +
      `${n((s) => stateClass(s.state) === 'failed')} failed · ${n((s) => s.target === 'Down')} stopped`;
    if (counts.textContent !== text) counts.textContent = text; // a live region: announce changes only

  }

  let timer = null, stopped = false;
  async function refresh() {
    clearTimeout(timer);
    try {
      const list = (await takeEarly()) ?? await call('service_list', {});
      if (data.length === 0) {
        // the first paint shows names and states at once; the details follow in one batch
        data = Object.keys(list).map((name) => ({name, state: list[name], target: '', pid: 0}));
        render();
        // marks the frame that shows the table: the task after the next animation frame
        requestAnimationFrame(() => setTimeout(() => performance.mark('zinit-services-rendered')));
      }
      data = await fetchDetails(list);
      for (const name of rows.keys()) if (!data.some((s) => s.name === name)) rows.delete(name);
      render();
      if (!performance.getEntriesByName('zinit-services-complete').length) performance.mark('zinit-services-complete');
    } catch (e) {
      if (!stopped) flash(e); // a view already left keeps quiet
    }
    if (!stopped) timer = setTimeout(refresh, POLL_MS);
  }
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
