// The live log view: follows GET /logs, keeps the last MAX_LINES lines, with pause and filter.
import {AuthError, call, followLogs, parseLine} from './api.js';
import {h, clear} from './dom.js';
import {flash} from './app.js';

export const MAX_LINES = 1000;

/**
 * A log panel following one service (or all). Returns {node, close}. The page never holds more
 * than MAX_LINES lines, shown or held back while paused.
 */
export function logPanel(service, {height = ''} = {}) {
  const list = h('ol', {class: `log ${height}`, id: 'log', 'aria-label': 'Log lines', tabindex: '0'});
  const text = h('input', {type: 'search', id: 'log-filter', placeholder: 'text', autocomplete: 'off', oninput: refilter});
  const pause = h('button', {type: 'button', id: 'log-pause', 'aria-pressed': 'false', onclick: togglePause}, 'Pause');
  const status = h('span', {class: 'log-status', 'aria-live': 'polite'});
  const held = [];
  let paused = false;
  const controller = new AbortController();

  function matches(li) {
    const q = text.value.toLowerCase();
    return !q || li.textContent.toLowerCase().includes(q);
  }
  function refilter() {
    for (const li of list.children) li.hidden = !matches(li);
  }
  function togglePause() {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    // What shows when Pause is pressed stays as it is: lines still waiting for their frame are held.
    if (paused && pending.length) {
      for (const line of pending.splice(0)) onLine(line);
    }
    if (!paused) {
      for (const line of held.splice(0)) append(line);
      status.textContent = '';
    }
  }
  // Lines are added once per frame, so a burst (the buffer replayed on connect) costs one layout.
  const pending = [];
  function append(line) {
    pending.push(line);
    if (pending.length > MAX_LINES) pending.shift();
    if (pending.length === 1) requestAnimationFrame(flush);
  }
  function flush() {
    const follow = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    const items = pending.splice(0).map((line) => {
      const p = parseLine(line);
      const li = h('li', {class: p.stream},
        h('span', {class: 'stream', title: p.stream}, p.stream === 'stderr' ? 'err' : 'out'), ' ',
        service ? null : h('span', {class: 'svc'}, p.service, ': '),
        h('span', {class: 'text'}, p.text));
      li.hidden = !matches(li);
      return li;
    });
    list.append(...items);
    for (let extra = list.childElementCount - MAX_LINES; extra > 0; extra--) list.firstElementChild.remove();
    if (follow) list.scrollTop = list.scrollHeight;
  }
  function onLine(line) {
    if (!paused) return append(line);
    held.push(line);
    if (held.length > MAX_LINES) held.shift();
    status.textContent = `${held.length} new line${held.length === 1 ? '' : 's'} held`;
  }

  (async () => {
    while (!controller.signal.aborted) {
      try {
        await followLogs(service, onLine, controller.signal);
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof AuthError) return flash(e);
        status.textContent = `log stream interrupted (${e.message}); reconnecting`;
      }
      // the stream replays the buffer on reconnect: start from an empty list
      await new Promise((r) => setTimeout(r, 2000));
      if (!controller.signal.aborted) clear(list);
    }
  })();

  const node = h('div', {class: 'log-panel'},
    h('div', {class: 'toolbar'}, h('label', {for: 'log-filter'}, 'Find'), text, pause, status), list);
  return {node, close: () => controller.abort()};
}

export function logsView(root, service) {
  const picker = h('select', {id: 'log-service', onchange: () => { location.hash = picker.value ? `#/logs/${encodeURIComponent(picker.value)}` : '#/logs'; }},
    h('option', {value: ''}, 'All services'));
  call('service_list', {}).then((list) => {
    for (const name of Object.keys(list).sort()) picker.append(h('option', {value: name, selected: name === service}, name));
    if (service && !(service in list)) picker.append(h('option', {value: service, selected: true}, service));
  }, flash);
  const panel = logPanel(service, {height: 'tall'});
  root.append(h('div', {class: 'toolbar'}, h('h2', {}, service ? `Logs of ${service}` : 'Logs'),
    h('label', {for: 'log-service'}, 'Service'), picker), panel.node);
  return panel.close;
}
