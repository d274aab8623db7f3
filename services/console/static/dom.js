'use strict';
// Every value on these pages may have come from the network (user agents, SIP URIs, display
// names): elements are built with textContent and attributes only, never innerHTML, so a value is
// always text. The Content-Security-Policy forbids inline scripts as a second wall.

/** el('td', { class: 'x' }, 'text', childNode): strings become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'onclick') e.addEventListener('click', v);
    else if (/^on/i.test(k)) throw new Error('event handlers go through addEventListener');
    else e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

const csrf = { token: null };

/** JSON API call; a lost session goes back to the login page. */
async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf.token) headers['x-csrf-token'] = csrf.token;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 401 && path !== '/login') {
    location.assign('/login');
    throw new Error('session ended');
  }
  const json = await res.json().catch(() => ({}));
  return { status: res.status, ok: res.ok, json };
}
