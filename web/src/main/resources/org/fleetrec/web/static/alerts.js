import { api, cell, hostLink, link, selectRange, text } from './api.js';
// Alerts page. Every value shown here came from an endpoint and may be hostile (command lines,
// rule titles from a rule file, host and user names): it is only ever inserted as text, never as HTML.
const form = document.getElementById('alerts-form');
const tbody = document.querySelector('#alerts tbody');
const summary = document.getElementById('alerts-summary');
const more = document.getElementById('more');
const PAGE_SIZE = 100;
/** How long before an alert the network view starts looking: the connection may have come first. */
const NETWORK_LEAD_MS = 60 * 60 * 1000;

let canChange = false; // admins change statuses; the server refuses anyone else anyway
let current = null;    // the parameters of the list on screen
let next = null;
let shown = 0;

function checked(name) {
  return [...form.querySelectorAll('input[name="' + name + '"]:checked')].map(input => input.value);
}

function setChecked(name, values) {
  for (const input of form.querySelectorAll('input[name="' + name + '"]')) input.checked = values.includes(input.value);
}

function formParams() {
  const params = new URLSearchParams();
  for (const name of ['level', 'status']) {
    const values = checked(name);
    if (values.length) params.set(name, values.join(','));
  }
  for (const name of ['host', 'rule']) {
    const value = document.getElementById(name).value.trim();
    if (value) params.set(name, value);
  }
  params.set('from', document.getElementById('range').value);
  return params;
}

// The URL carries the filters, so a view can be bookmarked and other pages can link here (?host=).
function fillFromUrl() {
  const url = new URLSearchParams(location.search);
  for (const name of ['level', 'status']) {
    if (url.has(name)) setChecked(name, url.get(name).split(',').map(v => v.trim()));
  }
  for (const name of ['host', 'rule']) {
    if (url.has(name)) document.getElementById(name).value = url.get(name);
  }
  if (url.has('from')) selectRange(document.getElementById('range'), url.get('from'));
}

function field(doc, path) {
  let node = doc;
  for (const step of path.split('.')) {
    if (node == null || typeof node !== 'object') return undefined;
    node = node[step];
  }
  return node;
}

/** A stored time to the second, for reading. */
function shortTime(value) {
  return typeof value === 'string' ? value.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : value;
}

/** A time cell; the exact value stays in its title. */
function timeCell(value) {
  const td = cell(shortTime(value), 'time');
  if (value) td.title = String(value);
  return td;
}

function counted(n, what) {
  return n + ' ' + what + (n === 1 ? '' : 's');
}

function userText(alert) {
  const user = field(alert, 'user.name');
  const effective = field(alert, 'user.effective.name');
  if (effective && user && effective !== user) return user + ' → ' + effective;
  return user || effective || '';
}

function statusCell(alert) {
  const td = document.createElement('td');
  const status = field(alert, 'fleet.alert.status') || '';
  td.append(text('span', status, 'status status-' + status));
  const by = field(alert, 'fleet.alert.status_by');
  if (by) td.append(text('div', 'by ' + by + ' at ' + (shortTime(field(alert, 'fleet.alert.status_at')) || ''), 'muted'));
  const note = field(alert, 'fleet.alert.status_note');
  if (note) td.append(text('div', note, 'note'));
  return td;
}

/** Where to look next: the process tree, its connections, the host, the event that raised the alert. */
function investigateCell(alert) {
  const td = document.createElement('td');
  td.className = 'links';
  const entity = field(alert, 'process.entity_id');
  const destination = field(alert, 'destination.ip');
  const firstSeen = Date.parse(field(alert, 'fleet.alert.first_seen') || field(alert, '@timestamp'));
  const network = {};
  if (!Number.isNaN(firstSeen)) network.from = new Date(firstSeen - NETWORK_LEAD_MS).toISOString();
  const add = (a, className) => {
    a.className = className;
    td.append(a);
  };
  if (entity) add(link('/process', { id: entity }, 'process tree'), 'tree-link');
  if (destination) add(link('/network', { ip: destination, ...network }, 'network ' + destination), 'network-link');
  else if (entity) add(link('/network', { entityId: entity, ...network }, 'network'), 'network-link');
  const host = field(alert, 'host.id');
  if (host) add(link('/host', { id: host }, 'host'), 'host-link');
  const eventId = field(alert, 'fleet.alert.event.id');
  if (eventId) add(link('/', { q: '_id:"' + eventId.replace(/["\\]/g, '\\$&') + '"', from: '' }, 'event'), 'event-link');
  return td;
}

/** The changes the status allows: acknowledge or close an open alert, close or reopen the others. */
function triageCell(alert, tr) {
  const td = document.createElement('td');
  td.className = 'triage';
  if (!canChange) return td;
  const status = field(alert, 'fleet.alert.status');
  const note = document.createElement('input');
  note.className = 'status-note';
  note.placeholder = 'note';
  note.maxLength = 1024;
  note.size = 10;
  note.setAttribute('aria-label', 'note for the status change');
  const actions = [];
  if (status === 'open') actions.push(['acknowledged', 'Acknowledge']);
  if (status !== 'closed') actions.push(['closed', 'Close']);
  if (status !== 'open') actions.push(['open', 'Reopen']);
  for (const [target, label] of actions) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.className = 'set-' + target;
    button.addEventListener('click', () => change(alert, target, note.value, tr, td));
    td.append(button);
  }
  td.append(note);
  return td;
}

async function change(alert, status, note, tr, td) {
  for (const button of td.querySelectorAll('button')) button.disabled = true;
  const id = field(alert, 'fleet.alert.id');
  try {
    const body = { status };
    if (note.trim()) body.note = note.trim();
    const updated = await api('POST', '/api/v1/alerts/' + encodeURIComponent(id) + '/status', body);
    tr.replaceWith(row(updated));
    refreshFacets();
  } catch (e) {
    for (const button of td.querySelectorAll('button')) button.disabled = false;
    td.append(text('div', 'not changed: ' + e.message, 'error'));
  }
}

function row(alert) {
  const tr = document.createElement('tr');
  const level = field(alert, 'rule.level') || '';
  tr.dataset.alertId = field(alert, 'fleet.alert.id') || '';
  tr.className = 'level-' + level.replace(/\W/g, '');
  const rule = cell(field(alert, 'rule.name') || field(alert, 'rule.id'));
  rule.title = field(alert, 'rule.id') || '';
  tr.append(timeCell(field(alert, 'fleet.alert.first_seen') || field(alert, '@timestamp')),
    timeCell(field(alert, 'fleet.alert.last_seen')), cell(level, 'level'), rule, cell(hostLink(field(alert, 'host.id'), field(alert, 'host.name'))),
    cell(field(alert, 'process.command_line') || field(alert, 'file.path') || '', 'command'),
    cell(userText(alert)), cell(field(alert, 'fleet.alert.count'), 'number'), statusCell(alert),
    investigateCell(alert), triageCell(alert, tr));
  return tr;
}

function showFacets(facets) {
  for (const span of document.querySelectorAll('span.count[data-facet]')) {
    const values = facets[span.dataset.facet] || [];
    const found = values.find(v => v.value === span.dataset.value);
    span.textContent = '(' + (found ? found.count : 0) + ')';
  }
  for (const name of ['rule', 'host']) {
    const list = document.getElementById(name + '-facet-list');
    const options = document.getElementById(name + '-facets');
    list.replaceChildren();
    options.replaceChildren();
    for (const facet of facets[name] || []) {
      const label = facet.name && facet.name !== facet.value ? facet.name : facet.value;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'facet';
      button.textContent = label + ' (' + facet.count + ')';
      button.title = facet.value;
      button.addEventListener('click', () => {
        document.getElementById(name).value = facet.value;
        run();
      });
      list.append(button);
      const option = document.createElement('option');
      option.value = facet.value;
      option.label = label;
      options.append(option);
    }
    if (!list.childElementCount) list.append(text('span', 'none', 'muted'));
  }
}

/** The counts again, after a change moved an alert from one status to another; the rows stay as they are. */
async function refreshFacets() {
  const params = new URLSearchParams(current);
  params.set('size', '0');
  try {
    showFacets((await api('GET', '/api/v1/alerts?' + params)).facets || {});
  } catch (e) {
    // the counts stay as they were; the next search renews them
  }
}

async function load(cursor) {
  const params = new URLSearchParams(current);
  params.set('size', String(PAGE_SIZE));
  if (cursor) params.set('search_after', cursor);
  more.disabled = true;
  summary.textContent = 'loading…';
  let body;
  try {
    body = await api('GET', '/api/v1/alerts?' + params);
  } catch (e) {
    summary.textContent = 'the alerts could not be read: ' + e.message;
    more.disabled = false;
    more.hidden = true;
    return;
  }
  more.disabled = false;
  for (const alert of body.alerts) tbody.append(row(alert));
  shown += body.alerts.length;
  next = body.next || null;
  more.hidden = !next;
  if (!cursor) showFacets(body.facets || {});
  summary.textContent = counted(body.total, 'alert') + (body.total > shown ? ' — showing ' + shown : '');
}

async function run(event) {
  if (event) event.preventDefault();
  current = formParams();
  history.replaceState(null, '', '/alerts?' + current);
  tbody.replaceChildren();
  shown = 0;
  next = null;
  await load(null);
}

async function start() {
  try {
    const me = await api('GET', '/api/v1/whoami');
    canChange = me.role === 'admin';
  } catch (e) {
    canChange = false;
  }
  document.getElementById('read-only').hidden = canChange;
  fillFromUrl();
  await run();
}

form.addEventListener('submit', run);
for (const box of form.querySelectorAll('input[type="checkbox"]')) box.addEventListener('change', () => run());
document.getElementById('range').addEventListener('change', () => run());
more.addEventListener('click', () => { if (next) load(next); });
start();
