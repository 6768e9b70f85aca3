// The one way pages talk to the API: same-origin, and changes carry the page's form token
// (the server refuses a session's change without it).
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

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

/** A table cell holding text: every value from the API may be hostile and is never parsed as HTML. */
export function cell(text) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  return td;
}
