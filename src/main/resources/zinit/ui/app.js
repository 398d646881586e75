// The page's frame: sign-in, the hash router, the confirmation dialog and error messages.
import {AuthError, call, token} from './api.js';
import {h, clear} from './dom.js';
import {servicesView} from './services.js';

const $ = (id) => document.getElementById(id);
let current = null; // the shown view's cleanup (stops its timers and streams)

/** Shows an error in words: the API's message and, on its own line, its hint. */
export function flash(error, kind = 'error') {
  const box = clear($('flash'));
  if (!error) return;
  if (error instanceof AuthError) return signOut('The token was refused; sign in again.');
  box.className = kind;
  box.append(h('p', {}, error.message || String(error)));
  if (error.hint) box.append(h('p', {class: 'hint'}, `Hint: ${error.hint}`));
  box.append(h('button', {type: 'button', class: 'close', onclick: () => clear(box), 'aria-label': 'Dismiss message'}, '×'));
}

/** Asks before a destructive action; resolves true when confirmed. Escape cancels. */
export function confirmAction(text, extra = null) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  const slot = clear($('confirm-extra'));
  if (extra) slot.append(extra);
  dialog.returnValue = '';
  dialog.showModal();
  (extra?.querySelector('select,input') ?? $('confirm-ok')).focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), {once: true}));
}

/**
 * Runs an action from a button: disabled while the call runs, errors shown in words.
 * Resolves to whether it succeeded.
 */
export async function runAction(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await fn();
    flash(null);
    return true;
  } catch (e) {
    flash(e);
    return false;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

function signOut(message = '') {
  token.clear();
  route();
  $('signin-error').textContent = message;
}

function showSignIn() {
  if (current) current();
  current = null;
  clear($('view'));
  $('nav').hidden = true;
  $('signin').hidden = false;
  $('token').focus();
}

async function signIn(event) {
  event.preventDefault();
  const t = $('token').value.trim();
  const err = $('signin-error');
  err.textContent = '';
  try {
    await call('service_list', {}, t);
  } catch (e) {
    err.textContent = e instanceof AuthError ? 'Wrong token: zinit refused it.' : `Cannot sign in: ${e.message}`;
    $('token').select();
    return;
  }
  token.set(t);
  $('token').value = '';
  route();
}

/** A view whose module loads when first shown, so the services table paints sooner. */
function lazy(load, show) {
  return (el) => {
    let cleanup = null, left = false;
    load().then((mod) => { if (!left) cleanup = show(mod, el) || null; }, flash);
    return () => { left = true; cleanup?.(); };
  };
}

const arg = (m) => m[1] && decodeURIComponent(m[1]);
const routes = [
  [/^#?\/?$/, () => servicesView],
  [/^#\/logs(?:\/(.+))?$/, (m) => lazy(() => import('./logs.js'), (mod, el) => mod.logsView(el, arg(m)))],
  [/^#\/service\/(.+)$/, (m) => lazy(() => import('./service.js'), (mod, el) => mod.serviceView(el, arg(m)))],
  [/^#\/new$/, () => lazy(() => import('./editor.js'), (mod, el) => mod.editorView(el, null))],
  [/^#\/edit\/(.+)$/, (m) => lazy(() => import('./editor.js'), (mod, el) => mod.editorView(el, arg(m)))],
];

function route() {
  if (!token.get()) return showSignIn();
  $('signin').hidden = true;
  $('nav').hidden = false;
  if (current) current();
  current = null;
  flash(null);
  const view = clear($('view'));
  const hash = location.hash;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === (hash.startsWith('#/logs') ? '#/logs' : hash || '#/')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const [re, make] of routes) {
    const m = re.exec(hash);
    if (m) {
      current = make(m)(view) || null;
      return;
    }
  }
  view.append(h('h2', {}, 'Not found'), h('p', {}, h('a', {href: '#/'}, 'Back to the services')));
}

// the router owns the hash, so the skip link moves focus itself
document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); $('main').focus(); });
$('signin').addEventListener('submit', signIn);
$('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason instanceof AuthError) {
    e.preventDefault();
    signOut('The token was refused; sign in again.');
  }
});
route();
