import { cell, csrf, hostLink, selectRange } from './api.js';
// Every value shown here came from an endpoint and may be hostile: it is only ever
// inserted as text (textContent), never as HTML.
const form = document.getElementById('search-form');
const tbody = document.querySelector('#results tbody');
const summary = document.getElementById('summary');
const more = document.getElementById('more');
const exports = document.getElementById('exports');
const PAGE_SIZE = 200;

let current = null; // the parameters of the search on screen
let next = null;    // cursor of its next page
let shown = 0;

function detail(hit) {
  const p = hit.process || {};
  if (p.command_line) return p.command_line;
  if (hit.file && hit.file.path) return hit.file.path;
  if (hit.destination && hit.destination.ip) return hit.destination.ip + ':' + (hit.destination.port ?? '');
  return hit.message || '';
}

// The URL carries the search, so it can be bookmarked, shared and reached from other pages (?host=).
function fillFromUrl() {
  const url = new URLSearchParams(location.search);
  for (const name of ['q', 'host', 'dataset', 'sort']) {
    if (url.has(name)) document.getElementById(name).value = url.get(name);
  }
  if (url.has('from')) selectRange(document.getElementById('range'), url.get('from'));
}

function formParams() {
  const params = new URLSearchParams();
  const q = document.getElementById('q').value.trim();
  if (q) params.set('q', q);
  const range = document.getElementById('range').value;
  if (range) params.set('from', range);
  for (const name of ['dataset', 'host', 'sort']) {
    const value = document.getElementById(name).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function setExportLinks(params) {
  for (const format of ['ndjson', 'csv']) {
    const p = new URLSearchParams(params);
    p.set('format', format);
    document.getElementById('export-' + format).href = '/api/v1/search/export?' + p;
  }
  exports.hidden = false;
}

async function load(cursor) {
  const params = new URLSearchParams(current);
  params.set('size', String(PAGE_SIZE));
  if (cursor) params.set('search_after', cursor);
  more.disabled = true;
  summary.textContent = 'searching…';
  let response, body;
  try {
    // POST: a cursor carries a point in time whose size grows with the indices searched, past what a URL holds.
    // A session's POST carries the page's form token, as every change does (the server refuses it otherwise).
    response = await fetch('/api/v1/search', { method: 'POST', body: params, credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf } });
    body = await response.json();
  } catch (e) {
    summary.textContent = 'the search failed: ' + e;
    more.disabled = false;
    return;
  }
  more.disabled = false;
  if (!response.ok) {
    summary.textContent = (body.error && body.error.reason) || ('error ' + response.status);
    more.hidden = true;
    return;
  }
  for (const hit of body.hits) {
    const tr = document.createElement('tr');
    const p = hit.process || {};
    tr.append(cell(hit['@timestamp']), cell(hit.host ? hostLink(hit.host.id, hit.host.name) : ''), cell(hit.event && hit.event.dataset),
      cell(hit.event && hit.event.action), cell(hit.user && hit.user.name), cell(p.pid), cell(detail(hit)));
    tbody.append(tr);
  }
  shown += body.hits.length;
  next = body.next || null;
  more.hidden = !next;
  summary.textContent = body.total + ' events' + (body.total > shown ? ' — showing ' + shown : '');
}

async function run(event) {
  if (event) event.preventDefault();
  current = formParams();
  history.replaceState(null, '', current.toString() ? '/?' + current : '/');
  tbody.replaceChildren();
  shown = 0;
  next = null;
  setExportLinks(current);
  await load(null);
}

form.addEventListener('submit', run);
more.addEventListener('click', () => { if (next) load(next); });
fillFromUrl();
run();
