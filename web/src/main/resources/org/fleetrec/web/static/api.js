// The one way pages talk to the API: same-origin, and changes carry the page's form token
// (the server refuses a session's change without it).
export const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') init.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!response.ok) {
    const reason = (json && json.error && json.error.reason) || text || ('error ' + response.status);
    throw new Error(reason);
  }
  return json;
}

/** An element holding text: every value from the API may be hostile and is never parsed as HTML. */
export function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content == null ? '' : String(content);
  if (className) element.className = className;
  return element;
}

/** A table cell holding text, or an element the page built itself (a link, a list). */
export function cell(content, className) {
  const td = document.createElement('td');
  if (content instanceof Node) td.append(content);
  else td.textContent = content == null ? '' : String(content);
  if (className) td.className = className;
  return td;
}

/** A link built from parts: the href is a fixed path plus encoded parameters, never event text. */
export function link(path, params, label) {
  const a = document.createElement('a');
  a.href = path + '?' + new URLSearchParams(params);
  a.textContent = label == null || label === '' ? '(unnamed)' : String(label);
  return a;
}

/** Selects a range in a <select>, adding it as an option first when it is not one (a range from a link). */
export function selectRange(select, value) {
  if (![...select.options].some(o => o.value === value)) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = 'from ' + value;
    select.append(option);
  }
  select.value = value;
}

/** A button that runs {@code action} when clicked. */
export function button(label, action) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', action);
  return b;
}

/** Runs a page action, showing its error in {@code status} (cleared first) instead of losing it. */
export async function guarded(status, work) {
  try {
    status.textContent = '';
    status.className = '';
    await work();
  } catch (e) {
    status.textContent = e.message;
    status.className = 'error';
  }
}

/** A host's name linked to its page when its id is known; its name (or nothing) as text otherwise. */
export function hostLink(id, name) {
  return id ? link('/host', { id }, name || id) : text('span', name);
}
