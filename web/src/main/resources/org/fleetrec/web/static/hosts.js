import { cell } from './api.js';
// Host documents are written from what agents send: every value is inserted as text only.
const form = document.getElementById('hosts-filter');
const tbody = document.querySelector('#hosts-table tbody');
const summary = document.getElementById('hosts-summary');
const LOSS_COUNTERS = ['kernel_lost', 'socket_overruns', 'queue_drops', 'sequence_gaps'];

let sort = 'name:asc';

function list(value) {
  if (value == null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function os(value) {
  if (!value) return '';
  return [value.name, value.version, value.kernel].filter(Boolean).join(' ');
}

// Health is stored as the agent reported it; counters of lost events are flagged when not zero.
function healthCell(health) {
  const td = document.createElement('td');
  if (!health || typeof health !== 'object') return td;
  const parts = [];
  let losing = false;
  for (const [name, value] of Object.entries(health)) {
    parts.push(name + '=' + (typeof value === 'object' ? JSON.stringify(value) : value));
    if (LOSS_COUNTERS.includes(name) && Number(value) > 0) losing = true;
  }
  td.textContent = parts.join(' ');
  if (losing) td.className = 'warn';
  return td;
}

function nameCell(doc) {
  const td = document.createElement('td');
  const host = doc.host || {};
  const a = document.createElement('a');
  a.href = '/host?id=' + encodeURIComponent(host.id || '');
  a.textContent = host.name || host.id || '(unnamed)';
  td.append(a);
  return td;
}

async function load(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams();
  const q = document.getElementById('hosts-q').value.trim();
  if (q) params.set('q', q);
  params.set('sort', sort);
  summary.textContent = 'loading…';
  const response = await fetch('/api/v1/hosts?' + params, { credentials: 'same-origin' });
  const body = await response.json();
  tbody.replaceChildren();
  if (!response.ok) {
    summary.textContent = (body.error && body.error.reason) || ('error ' + response.status);
    return;
  }
  summary.textContent = body.hosts.length + ' hosts' + (body.truncated ? ' (of ' + body.total + ')' : '');
  for (const doc of body.hosts) {
    const host = doc.host || {};
    const events = doc.events || {};
    const tr = document.createElement('tr');
    tr.append(nameCell(doc), cell(host.hostname), cell(list(host.ip)), cell(os(host.os)),
      cell(doc.agent && doc.agent.version), cell(doc.last_seen), cell(doc.last_address),
      cell(events.last_hour, 'number'), cell(events.last_24h, 'number'), healthCell(doc.health));
    tbody.append(tr);
  }
}

for (const button of document.querySelectorAll('#hosts-table button.sort')) {
  button.addEventListener('click', () => {
    const field = button.dataset.sort;
    const [current, order] = sort.split(':');
    const numeric = field.startsWith('events') || field === 'last_seen';
    sort = field + ':' + (current === field ? (order === 'asc' ? 'desc' : 'asc') : (numeric ? 'desc' : 'asc'));
    load();
  });
}
form.addEventListener('submit', load);
load();
