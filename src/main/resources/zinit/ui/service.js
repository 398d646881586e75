// One service: status detail, dependencies as links, its config, CPU and memory over the last
// minutes, and its recent log lines.
import {ApiError, batch, call} from './api.js';
import {h, clear, duration, bytes, stateBadge} from './dom.js';
import {confirmAction, flash, runAction} from './app.js';
import {actionButtons} from './services.js';
import {drawChart} from './chart.js';
import {logPanel} from './logs.js';
import {toYaml} from './editor.js';

const POLL_MS = 2000;
const SAMPLES = 150; // five minutes at one sample per two seconds

export function serviceView(root, name) {
  const detail = h('dl', {class: 'detail', id: 'status'});
  const deps = h('ul', {class: 'deps', id: 'deps'});
  const config = h('pre', {class: 'config', id: 'config', tabindex: '0'});
  const cpuCanvas = h('canvas', {class: 'chart', role: 'img', 'aria-label': `CPU use of ${name}`});
  const memCanvas = h('canvas', {class: 'chart', role: 'img', 'aria-label': `Memory use of ${name}`});
  const cpu = [], mem = [];
  const logs = logPanel(name);
  const del = h('button', {type: 'button', class: 'danger', onclick: remove}, 'Delete…');
  root.append(
    h('div', {class: 'toolbar'}, h('h2', {}, name), actionButtons(name, refresh)),
    h('div', {class: 'grid'},
      h('section', {'aria-label': 'Status'}, h('h3', {}, 'Status'), detail, h('h3', {}, 'Depends on'), deps),
      h('section', {'aria-label': 'Usage'}, h('h3', {}, 'CPU and memory'), cpuCanvas, memCanvas)),
    h('section', {'aria-label': 'Configuration'}, h('div', {class: 'toolbar'}, h('h3', {}, 'Configuration'),
      h('a', {class: 'button', href: `#/edit/${encodeURIComponent(name)}`}, 'Edit file'), del), config),
    h('section', {'aria-label': 'Recent logs'}, h('div', {class: 'toolbar'}, h('h3', {}, 'Recent logs'),
      h('a', {href: `#/logs/${encodeURIComponent(name)}`}, 'Open in the log view')), logs.node));

  function row(term, value) {
    return [h('dt', {}, term), h('dd', {}, value)];
  }

  let timer = null, stopped = false;
  async function refresh() {
    clearTimeout(timer);
    const [st, stats] = await batch([['service_status', {name}], ['service_stats', {name}]]).catch((e) => { flash(e); return [{}, {}]; });
    if (st.error && st.error.code !== -32000) flash(st.error);
    const s = st.result;
    clear(detail).append(...(s ? [
      ...row('State', stateBadge(s.state)), ...row('Full state', s.state), ...row('Target', s.target),
      ...row('PID', s.pid ? String(s.pid) : '–'), ...row('Uptime', duration(s.uptime) || '–'),
      ...row('Restarts', String(s.restarts ?? 0)),
      ...(s.next_restart ? row('Next restart', s.next_restart) : []),
      ...(s.detail ? row('Detail', s.detail) : []),
    ] : row('State', 'not monitored (the file may exist; Start loads it)')));
    clear(deps).append(...(s && Object.keys(s.after).length
      ? Object.entries(s.after).map(([dep, state]) => h('li', {}, h('a', {href: `#/service/${encodeURIComponent(dep)}`}, dep), ' ', stateBadge(state)))
      : [h('li', {}, 'none')]));
    const t = stats.result;
    cpu.push(t ? t.total_cpu_usage : 0);
    mem.push(t ? t.total_memory_usage : 0);
    if (cpu.length > SAMPLES) { cpu.shift(); mem.shift(); }
    drawChart(cpuCanvas, cpu, {label: 'CPU', format: (v) => `${v.toFixed(1)} %`});
    drawChart(memCanvas, mem, {label: 'Memory', format: bytes, color: '--accent2'});
    if (!stopped) timer = setTimeout(refresh, POLL_MS);
  }

  call('service_get', {name}).then(
    (c) => { config.textContent = toYaml(c); },
    (e) => { config.textContent = e instanceof ApiError ? e.message : String(e); });

  async function remove(e) {
    const button = e.currentTarget;
    if (!(await confirmAction(`Delete ${name}? It is stopped, forgotten, and its file ${name}.yaml removed.`))) return button.focus();
    const ok = await runAction(button, async () => {
      for (const method of ['service_stop', 'service_forget']) {
        try {
          await call(method, {name});
        } catch (err) {
          // not monitored, or already down: nothing to undo
          if (!(err instanceof ApiError) || ![-32000, -32003].includes(err.code)) throw err;
        }
      }
      await call('service_delete', {name});
    });
    if (ok) location.hash = '#/';
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); logs.close(); };
}
