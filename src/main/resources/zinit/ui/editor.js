// Create or edit a service file as YAML text. The server validates it (service_file_put) and
// names the line of a mistake; the editor marks that line and puts the cursor on it.
import {ApiError, call} from './api.js';
import {h, clear} from './dom.js';
import {flash, runAction} from './app.js';

const TEMPLATE = 'exec: "/bin/sh -c \'echo hello; sleep infinity\'"\n# test: "/bin/true"\n# after: [other]\nshutdown_timeout: 10\nlog: ring\n';

/** A JSON tree as YAML text: strings double-quoted (JSON's escapes are YAML's), maps as blocks. */
export function toYaml(value, indent = '') {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Array.isArray(value) ? value.map((v) => [null, v]) : Object.entries(value);
  if (entries.length === 0) return Array.isArray(value) ? '[]' : '{}';
  const key = (k) => (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) ? k : JSON.stringify(k));
  return entries.map(([k, v]) => {
    const head = k === null ? `${indent}- ` : `${indent}${key(k)}:`;
    if (v !== null && typeof v === 'object' && Object.keys(v).length) return `${head}\n${toYaml(v, indent + '  ')}`;
    return `${head}${k === null ? '' : ' '}${toYaml(v, indent)}`;
  }).join('\n') + (indent ? '' : '\n');
}

export function editorView(root, existing) {
  const creating = existing == null;
  const name = h('input', {id: 'svc-name', required: true, autocomplete: 'off', spellcheck: false, value: existing || '', readOnly: !creating});
  const text = h('textarea', {id: 'svc-yaml', rows: 14, spellcheck: false, wrap: 'off', 'aria-describedby': 'svc-error', value: creating ? TEMPLATE : ''});
  const gutter = h('pre', {class: 'gutter', 'aria-hidden': 'true'});
  const error = h('div', {id: 'svc-error', class: 'field-error', role: 'alert'});
  const save = h('button', {type: 'submit', id: 'svc-save'}, creating ? 'Create and start' : 'Save');
  const apply = h('button', {type: 'button', id: 'svc-apply', hidden: true, onclick: reload}, 'Apply now (stop, reload, start)');
  let badLine = 0;

  function numbers() {
    const n = text.value.split('\n').length;
    clear(gutter).append(...Array.from({length: n}, (_, i) => h('span', {class: i + 1 === badLine ? 'bad' : ''}, `${i + 1}\n`)));
    gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener('input', () => { badLine = 0; numbers(); });
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });

  function showError(e) {
    clear(error);
    badLine = e instanceof ApiError && e.data.line ? e.data.line : 0;
    numbers();
    if (!e) return;
    error.append(h('p', {}, badLine ? h('strong', {}, `Line ${badLine}: `) : null, e.message || String(e)));
    if (e.hint) error.append(h('p', {class: 'hint'}, `Hint: ${e.hint}`));
    if (badLine) {
      // select the named line so the cursor is where the fix goes
      const lines = text.value.split('\n');
      const start = lines.slice(0, badLine - 1).reduce((a, l) => a + l.length + 1, 0);
      text.focus();
      text.setSelectionRange(start, start + (lines[badLine - 1] || '').length);
    }
  }

  async function submit(event) {
    event.preventDefault();
    const svc = name.value.trim();
    let rejected = false, warnings = [];
    const ok = await runAction(save, async () => {
      try {
        const reply = await call('service_file_put', {name: svc, yaml: text.value, replace: !creating});
        warnings = String(reply).split('\n').filter((l) => l.startsWith('warning: ')).map((l) => l.slice(9));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        // the file's own mistakes are shown at their line, not in the page-wide message
        rejected = true;
        return showError(e);
      }
      showError(null);
      if (creating) await call('service_monitor', {name: svc});
    });
    if (!ok || rejected) return;
    if (warnings.length) {
      // written and (when new) started, but a key was ignored: say so before moving on
      error.append(...warnings.map((w) => h('p', {class: 'warning'}, `Warning: ${w}`)),
        h('p', {}, h('a', {href: `#/service/${encodeURIComponent(svc)}`, id: 'svc-open'}, `Open ${svc}`)));
      if (!creating) apply.hidden = false;
      return;
    }
    if (creating) location.hash = `#/service/${encodeURIComponent(svc)}`;
    else {
      flash({message: `Saved ${svc}.yaml. The service runs its old config until it is reloaded.`}, 'info');
      apply.hidden = false;
      apply.focus();
    }
  }

  async function reload() {
    const svc = existing;
    await runAction(apply, async () => {
      for (const method of ['service_stop', 'service_forget']) {
        try {
          await call(method, {name: svc});
        } catch (e) {
          if (!(e instanceof ApiError) || ![-32000, -32003].includes(e.code)) throw e;
        }
      }
      await call('service_monitor', {name: svc});
    });
    location.hash = `#/service/${encodeURIComponent(svc)}`;
  }

  const form = h('form', {class: 'editor', onsubmit: submit},
    h('h2', {}, creating ? 'New service' : `Edit ${existing}.yaml`),
    h('label', {for: 'svc-name'}, 'Name'), name,
    h('label', {for: 'svc-yaml'}, 'Service file (YAML)'),
    h('div', {class: 'code'}, gutter, text), error,
    h('div', {class: 'buttons'}, save, apply, h('a', {href: creating ? '#/' : `#/service/${encodeURIComponent(existing)}`}, 'Cancel')));
  root.append(form);
  if (creating) {
    numbers();
    name.focus();
  } else {
    call('service_file_get', {name: existing}).then((t) => { text.value = t; numbers(); text.focus(); }, (e) => showError(e));
  }
}
